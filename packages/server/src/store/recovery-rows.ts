/** Row ↔ record mapping for recovery jobs, the same in both stores. */
import type { RecoveryFilter, RecoveryJob, RecoveryStatus } from '../domain/index.js';

export interface RecoveryRow {
  id: string;
  app_id: string;
  filter: string;
  status: string;
  total: number;
  requeued: number;
  scanned: number;
  cursor: string;
  lease_token: string | null;
  lease_expires_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export const toRecovery = (row: RecoveryRow): RecoveryJob => ({
  id: row.id,
  appId: row.app_id,
  filter: JSON.parse(row.filter) as RecoveryFilter,
  status: row.status as RecoveryStatus,
  total: Number(row.total),
  requeued: Number(row.requeued),
  scanned: Number(row.scanned),
  createdBy: row.created_by,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
});

/** The columns in the order both stores insert them: a new job has scanned nothing and holds no lease. */
export const recoveryValues = (job: RecoveryJob) =>
  [
    job.id,
    job.appId,
    JSON.stringify(job.filter),
    job.status,
    job.total,
    job.requeued,
    job.scanned,
    job.createdBy,
    job.createdAt,
    job.updatedAt,
  ] as const;

/** A filter's optional fields as query parameters: null where the filter does not narrow. */
export const filterParams = (f: RecoveryFilter) => ({
  endpointId: f.endpointId ?? null,
  since: f.since ?? null,
  until: f.until ?? null,
  types: f.eventTypes && f.eventTypes.length > 0 ? f.eventTypes : null,
  errorCode: f.errorCode ?? null,
});
