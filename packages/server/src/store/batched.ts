/**
 * Group commit for stores whose calls are asynchronous: calls made in the same turn of the event loop run as one
 * batch, so they share one round trip and one commit instead of paying for one each. Each call resolves with its
 * own result once the batch is committed; when a batch fails, each call runs again alone, so one bad call cannot
 * fail the others.
 */
import { isStoreUnavailable } from './errors.js';

export interface BatchRunners<I, R> {
  /** Runs inputs together, all or nothing, resolving to one result per input in the inputs' order. */
  many(inputs: I[]): Promise<R[]>;
  /** Runs one input on its own: a batch of one (a statement made for one is the cheaper), or a call of a failed batch. */
  one(input: I): Promise<R>;
}

interface Queued<I, R> {
  input: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Takes one input at a time and runs those of a turn together. At most `maxBatch` calls share a batch: a larger
 * burst runs as several batches side by side (each on a connection of its own) rather than one statement too big.
 */
export function batched<I, R>(runners: BatchRunners<I, R>, maxBatch: number): (input: I) => Promise<R> {
  let queued: Queued<I, R>[] = [];

  function flush(): void {
    const calls = queued;
    queued = [];
    for (let start = 0; start < calls.length; start += maxBatch) void settle(calls.slice(start, start + maxBatch));
  }

  async function settle(batch: Queued<I, R>[]): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0] as Queued<I, R>);
    try {
      const results = await runners.many(batch.map((q) => q.input));
      for (const [i, q] of batch.entries()) q.resolve(results[i] as R);
    } catch (error) {
      // With the database away, each call alone would only wait for it again.
      if (isStoreUnavailable(error)) {
        for (const q of batch) q.reject(error);
        return;
      }
      for (const q of batch) runAlone(q);
    }
  }

  function runAlone(q: Queued<I, R>): void {
    runners.one(q.input).then(q.resolve, q.reject);
  }

  return (input) =>
    new Promise((resolve, reject) => {
      if (queued.push({ input, resolve, reject }) === 1) setImmediate(flush);
    });
}
