/** What the worker loop needs from wherever jobs are kept; the SQLite tables are one such place. */
import type { DeadLetter, ReceivedWebhook } from './types.js';

/** A job this process holds under a lease: only the holder of `leaseId` may finish or reschedule it. */
export interface ClaimedJob {
  jobId: string;
  leaseId: string;
  /** 1 on the first try; counts tries whose process died too. */
  attempt: number;
  webhook: ReceivedWebhook;
}

type Awaitable<T> = T | Promise<T>;

export interface JobStorage {
  addJob(jobId: string, webhook: ReceivedWebhook, runAt: number): Awaitable<void>;
  /**
   * Leases up to `limit` due jobs until `leaseUntil`. A job found due after its last allowed attempt (its process
   * died during that attempt) is dead-lettered here instead of being tried once more.
   */
  claimDueJobs(input: { now: number; limit: number; leaseUntil: number; maxAttempts: number }): Awaitable<ClaimedJob[]>;
  /** Removes a handled job; false when the lease was lost (another process took the job). */
  completeJob(job: ClaimedJob): Awaitable<boolean>;
  rescheduleJob(job: ClaimedJob, runAt: number, error: string): Awaitable<boolean>;
  deadLetterJob(job: ClaimedJob, error: string, failedAt: number): Awaitable<boolean>;
  extendLease(job: ClaimedJob, leaseUntil: number): Awaitable<boolean>;
  /** The earliest `run_at` of any job, leased or not; null when there are none. */
  nextRunAt(): Awaitable<number | null>;
  listDeadLetters(limit: number): Awaitable<DeadLetter[]>;
  /** Moves dead letters back as fresh jobs due at `now` (all when `jobIds` is undefined); returns how many. */
  replayDeadLetters(jobIds: readonly string[] | undefined, now: number): Awaitable<number>;
}
