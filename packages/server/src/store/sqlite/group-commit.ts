/**
 * Group commit: calls that arrive in the same turn of the event loop are written in one transaction, so they share
 * one commit's cost (a commit per call was the largest cost of publishing and of recording attempts). Each call
 * still resolves only once its rows are committed; when a batch fails, each call runs again in a transaction of its
 * own, so one bad call cannot fail the others.
 */
import type Database from 'better-sqlite3';

export function groupCommit<I, R>(db: Database.Database, runOne: (input: I) => R): (input: I) => Promise<R> {
  const runEach = db.transaction((inputs: I[]) => inputs.map(runOne));
  let queued: { input: I; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];

  function flush(): void {
    const batch = queued;
    queued = [];
    try {
      const results = runEach.immediate(batch.map((q) => q.input));
      for (const [i, q] of batch.entries()) q.resolve(results[i] as R);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const q of batch) {
        try {
          q.resolve(runEach.immediate([q.input])[0] as R);
        } catch (alone) {
          q.reject(alone);
        }
      }
    }
  }

  return (input) =>
    new Promise((resolve, reject) => {
      if (queued.push({ input, resolve, reject }) === 1) setImmediate(flush);
    });
}
