/**
 * The loop that handles queued webhooks: claim due jobs under a lease, run up to `concurrency` handlers,
 * then remove, reschedule or dead-letter each. It sleeps until the next job is due (at most one poll interval)
 * and wakes at once when told new work arrived or a handler finished.
 */
import type { BackoffFunction } from './backoff.js';
import type { ClaimedJob, JobStorage } from './job-storage.js';
import type { QueueHandler } from './types.js';

export interface WorkerLoopOptions {
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoff: BackoffFunction;
  clock: () => number;
  /** The timers that go with `clock`: the loop's sleep and the lease renewals. */
  timers: Timers;
  /** Errors of the queue itself (not of the handler), e.g. the database was busy for too long. */
  onError: (error: unknown) => void;
}

/** Like the global setTimeout and clearTimeout; a test passes its own to move time by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WorkerLoop {
  /** New work may be due now: claim without waiting for the poll. */
  wake(): void;
  /**
   * Resolves once the loop has looked for due jobs after this call, found none with no handler running, and gone to
   * sleep (its timer set): from then on nothing is handled until a job is enqueued, replayed or falls due. At once
   * when the loop is stopping.
   */
  whenIdle(): Promise<void>;
  /** Takes no new work and resolves once running handlers have finished. */
  stop(): Promise<void>;
}

export function startWorkerLoop(storage: JobStorage, handler: QueueHandler, options: WorkerLoopOptions): WorkerLoop {
  const { concurrency, leaseMs, pollIntervalMs, maxAttempts, backoff, clock, timers, onError } = options;
  const running = new Set<Promise<void>>();
  let stopping = false;
  // A wake-up that comes while the loop is busy is kept, so the next sleep returns at once instead of losing it.
  let wakePending = false;
  let interruptSleep: (() => void) | null = null;
  /** Looks for due jobs started so far, and callers of `whenIdle` with the count when they asked. */
  let looks = 0;
  let idleWaiters: { after: number; resolve: () => void }[] = [];
  /** Waiters whose idle look came; told once the loop sleeps, so a test that then moves time finds its timer set. */
  const idleSeen: (() => void)[] = [];

  function wake(): void {
    wakePending = true;
    interruptSleep?.();
  }

  function whenIdle(): Promise<void> {
    if (stopping) return Promise.resolve();
    return new Promise((resolve) => {
      idleWaiters.push({ after: looks, resolve });
      wake();
    });
  }

  /** Look number `look` found nothing due: wake those waiting for idleness if no handler runs either. */
  function noteIdle(look: number): void {
    if (running.size > 0 || idleWaiters.length === 0) return;
    const waiting = idleWaiters;
    idleWaiters = waiting.filter((w) => w.after >= look);
    for (const w of waiting) if (w.after < look) idleSeen.push(w.resolve);
  }

  function tellIdle(): void {
    for (const resolve of idleSeen.splice(0)) resolve();
  }

  function sleep(ms: number): Promise<void> {
    if (wakePending || stopping) {
      wakePending = false;
      tellIdle();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = timers.setTimeout(finish, ms);
      function finish(): void {
        timers.clearTimeout(timer);
        interruptSleep = null;
        wakePending = false;
        resolve();
      }
      interruptSleep = finish;
      tellIdle();
    });
  }

  async function runJob(job: ClaimedJob): Promise<void> {
    // Renew the lease while the handler runs, so a slow handler is not taken by another process;
    // three renewals per lease leave room for a busy event loop or a slow write.
    const renewEveryMs = Math.max(1, Math.floor(leaseMs / 3));
    let heartbeat: unknown;
    const renewLater = () => {
      heartbeat = timers.setTimeout(() => {
        renewLater();
        Promise.resolve()
          .then(() => storage.extendLease(job, clock() + leaseMs))
          .catch(onError);
      }, renewEveryMs);
    };
    renewLater();
    let failure: { error: unknown } | null = null;
    try {
      await handler(job.webhook, { attempt: job.attempt });
    } catch (error) {
      failure = { error };
    } finally {
      timers.clearTimeout(heartbeat);
    }
    try {
      if (failure === null) await storage.completeJob(job);
      else if (job.attempt >= maxAttempts) await storage.deadLetterJob(job, describeError(failure.error), clock());
      else await storage.rescheduleJob(job, clock() + backoff(job.attempt), describeError(failure.error));
    } catch (error) {
      // The job keeps its lease; when it expires the job is claimed again, so nothing is lost.
      onError(error);
    }
  }

  async function claimAndRun(): Promise<number> {
    const free = concurrency - running.size;
    if (free <= 0) return pollIntervalMs;
    const look = ++looks;
    const now = clock();
    const jobs = await storage.claimDueJobs({ now, limit: free, leaseUntil: now + leaseMs, maxAttempts });
    if (jobs.length === 0) noteIdle(look);
    for (const job of jobs) {
      const run = runJob(job).finally(() => {
        running.delete(run);
        wake();
      });
      running.add(run);
    }
    if (jobs.length === free) return 0; // maybe more are due; the next turn sleeps until a handler finishes
    const next = await storage.nextRunAt();
    return next === null ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, next - clock()));
  }

  const loop = (async () => {
    while (!stopping) {
      let delay: number;
      try {
        delay = await claimAndRun();
      } catch (error) {
        onError(error);
        delay = pollIntervalMs;
      }
      await sleep(delay);
    }
  })();

  return {
    wake,
    whenIdle,
    async stop() {
      stopping = true;
      interruptSleep?.();
      await loop;
      await Promise.all(running);
      tellIdle();
      for (const w of idleWaiters.splice(0)) w.resolve();
    },
  };
}

/** What a dead letter keeps of the handler's last error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
