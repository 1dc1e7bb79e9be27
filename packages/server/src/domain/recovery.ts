/**
 * Recovery jobs: a filter over an app's finished deliveries, re-queued in the background batch by batch. A job keeps
 * its progress in the store, so another process (or a restarted one) carries on where it stopped.
 */

/** Which deliveries a recovery re-queues; every field given must hold. */
export interface RecoveryFilter {
  /** Deliveries in this status: failed (the default) or succeeded (send again what got through). */
  status: 'failed' | 'succeeded';
  endpointId?: string;
  /** Messages of one of these exact types. */
  eventTypes?: string[];
  /** Deliveries created at or after this time. */
  since?: number;
  /** Deliveries created before this time. */
  until?: number;
  /** Deliveries whose last attempt failed with this code (domain/attempt-errors.ts). */
  errorCode?: string;
}

export type RecoveryStatus = 'running' | 'completed' | 'cancelled';

export interface RecoveryJob {
  /** `rcv_…` */
  id: string;
  appId: string;
  filter: RecoveryFilter;
  status: RecoveryStatus;
  /** The deliveries the filter matched when the job started: what the progress is measured against. */
  total: number;
  /** Deliveries this job re-queued so far; each at most once, whatever crashes and restarts happen. */
  requeued: number;
  /** Deliveries in the filter's status (and endpoint) looked at so far, matching or not. */
  scanned: number;
  /** Who started it, as the audit log names actors. */
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  /** When it completed or was cancelled. */
  finishedAt: number | null;
}

/** Where the deliveries a job re-queued stand now. */
export interface RecoveryOutcome {
  /** Succeeded since. */
  delivered: number;
  /** Attempted again and not (yet) succeeded. */
  failedAgain: number;
  /** Not attempted again yet. */
  waiting: number;
}

/** The deliveries a filter matches now, per endpoint, without changing anything: a recovery's dry run. */
export interface RecoveryCount {
  total: number;
  byEndpoint: { endpointId: string; count: number }[];
}
