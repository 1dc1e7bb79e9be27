/**
 * Recovery jobs in the store: made and cancelled by the API, claimed under a lease and run batch by batch by the
 * recovery loop of whichever process holds the lease. Each batch is one short transaction.
 */
import type { AuditEntry, RecoveryCount, RecoveryFilter, RecoveryJob, RecoveryOutcome } from '../domain/index.js';
import type { Page, PageQuery } from './admin-store.js';

export interface RecoveryClaimInput {
  leaseToken: string;
  now: number;
  /** The lease lasts this long unless a batch renews it; a process that dies leaves the job to another after it. */
  leaseMs: number;
}

export interface RecoveryBatchInput extends RecoveryClaimInput {
  jobId: string;
  /** Deliveries (in the filter's status) one batch looks at. */
  limit: number;
}

export interface RecoveryBatch {
  /** Deliveries this batch re-queued. */
  requeued: number;
  /** The job as it stands after the batch, `running` while there is more to scan; null when it is gone with its app. */
  job: RecoveryJob | null;
  /** False when the lease was lost or the job no longer runs (cancelled): the caller stops, nothing was written. */
  held: boolean;
}

export interface RecoveryStore {
  /** The deliveries `filter` matches in the app now (deliveries of disabled endpoints and purged messages left out). */
  countRecoverable(appId: string, filter: RecoveryFilter): Promise<RecoveryCount>;
  createRecovery(job: RecoveryJob, audit?: AuditEntry): Promise<RecoveryJob>;
  findRecovery(appId: string, id: string): Promise<RecoveryJob | null>;
  /** Newest first. */
  listRecoveries(appId: string, page: PageQuery): Promise<Page<RecoveryJob>>;
  /** Ends a running job; null when there is no such job or it no longer runs. A batch in progress finishes first. */
  cancelRecovery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<RecoveryJob | null>;
  /** Takes the oldest running job whose lease is free or ran out; null when there is none. */
  claimRecovery(input: RecoveryClaimInput): Promise<RecoveryJob | null>;
  /**
   * Re-queues the next batch of the job's matching deliveries, past its high-water mark, and moves the mark and
   * the counts in the same transaction, renewing the lease; completes the job when nothing is left to scan.
   */
  runRecoveryBatch(input: RecoveryBatchInput): Promise<RecoveryBatch>;
  /** Where the deliveries the job re-queued stand now. */
  recoveryOutcome(jobId: string): Promise<RecoveryOutcome>;
}
