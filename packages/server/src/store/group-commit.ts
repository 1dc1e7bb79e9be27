/**
 * Group commit, for both stores: calls made in the same turn of the event loop are written as one batch, in one
 * transaction, so they share one commit (and, over a network, one round trip) instead of paying for one each. Each
 * call resolves with its own result once the batch is committed; when a batch fails, each call runs again alone, so
 * one bad call cannot fail the others.
 */

export interface BatchRunners<I, R> {
  /** Runs inputs together, all or nothing, resolving to one result per input in the inputs' order. */
  many(inputs: I[]): Promise<R[]>;
  /**
   * Runs one input on its own: a batch of one, or a call of a failed batch. Unset: `many` of that one input; set it
   * when a statement made for one is the cheaper.
   */
  one?(input: I): Promise<R>;
}

export interface GroupCommitOptions {
  /**
   * Most calls one batch takes: a larger burst runs as several batches side by side (each on a connection of its
   * own) rather than one statement too big. Unset: a batch takes every call of its turn.
   */
  maxBatch?: number;
  /** True for a failure that running each call alone would only meet again (the database is away): every call fails. */
  failsEveryCall?: (error: unknown) => boolean;
  /**
   * Most batches running at once; calls made meanwhile wait and go together in the next. Unset: every turn's batch
   * starts at once. Over a network, small batches side by side cost a round trip and a commit each.
   */
  maxRunning?: number;
}

interface Queued<I, R> {
  input: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Takes one input at a time and runs those of a turn (or, at maxRunning, of the wait) together. */
export function groupCommit<I, R>(runners: BatchRunners<I, R>, options: GroupCommitOptions = {}): (input: I) => Promise<R> {
  const { maxBatch = Number.POSITIVE_INFINITY, failsEveryCall = () => false, maxRunning = Number.POSITIVE_INFINITY } = options;
  const one = runners.one ?? (async (input: I) => (await runners.many([input]))[0] as R);
  const queued: Queued<I, R>[] = [];
  let running = 0;
  let flushing = false;

  function flush(): void {
    flushing = false;
    while (queued.length > 0 && running < maxRunning) {
      running++;
      void settle(queued.splice(0, maxBatch)).finally(() => {
        running--;
        if (queued.length > 0 && !flushing) flush();
      });
    }
  }

  async function settle(batch: Queued<I, R>[]): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0] as Queued<I, R>);
    try {
      const results = await runners.many(batch.map((q) => q.input));
      for (const [i, q] of batch.entries()) q.resolve(results[i] as R);
    } catch (error) {
      if (failsEveryCall(error)) {
        for (const q of batch) q.reject(error);
        return;
      }
      await Promise.all(batch.map(runAlone));
    }
  }

  function runAlone(q: Queued<I, R>): Promise<void> {
    return one(q.input).then(q.resolve, q.reject);
  }

  return (input) =>
    new Promise((resolve, reject) => {
      queued.push({ input, resolve, reject });
      if (!flushing && running < maxRunning) {
        flushing = true;
        setImmediate(flush);
      }
    });
}
