/**
 * Recovery jobs on PostgreSQL. A batch locks the job's row (a cancel waits for it, a second runner cannot hold the
 * lease), looks at the next `limit` deliveries in the filter's status past the job's high-water mark, records and
 * re-queues those that match, and moves the mark, in one short transaction.
 */
import type pg from 'pg';
import type { AuditEntry, RecoveryCount, RecoveryFilter, RecoveryJob, RecoveryOutcome } from '../../domain/index.js';
import type { Page, PageQuery } from '../admin-store.js';
import { filterParams, type RecoveryRow, recoveryValues, toRecovery } from '../recovery-rows.js';
import type { RecoveryBatch, RecoveryBatchInput, RecoveryClaimInput } from '../recovery-store.js';
import type { Audited, AuditedTransaction } from './audit-log.js';
import { DUE_CHANNEL } from './listen.js';
import { inTransaction } from './pool.js';
import { toPage } from './rows.js';

// $1 app, $2 status, $3 endpoint, $4 since, $5 until, $6 types, $7 error code. What a delivery must be to be
// recovered: the filter holds, it is not in flight, its message still has a payload (retention purged nothing it
// needs) and its endpoint is not disabled (it would only fail again at once).
const MATCHES = `
  d.app_id = $1 AND d.status = $2 AND d.lease_token IS NULL
  AND ($3::text IS NULL OR d.endpoint_id = $3)
  AND ($4::bigint IS NULL OR d.created_at >= $4) AND ($5::bigint IS NULL OR d.created_at < $5)
  AND EXISTS (SELECT 1 FROM messages m WHERE m.id = d.message_id AND m.payload <> ''
    AND ($6::text[] IS NULL OR m.type = ANY($6::text[])))
  AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.disabled_at IS NULL)
  AND ($7::text IS NULL OR (SELECT a.error_code FROM attempts a WHERE a.delivery_id = d.id
    ORDER BY a.number DESC, a.started_at DESC LIMIT 1) = $7)`;

const COUNT = `
  SELECT d.endpoint_id AS "endpointId", count(*)::int AS count FROM deliveries d WHERE ${MATCHES}
  GROUP BY d.endpoint_id ORDER BY d.endpoint_id`;
const INSERT = `
  INSERT INTO recovery_jobs (id, app_id, filter, status, total, requeued, scanned, created_by, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
const BY_ID = 'SELECT * FROM recovery_jobs WHERE app_id = $1 AND id = $2';
const PAGE = `
  SELECT * FROM recovery_jobs WHERE app_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`;
const CANCEL = `
  UPDATE recovery_jobs SET status = 'cancelled', finished_at = $3, updated_at = $3, lease_token = NULL
  WHERE app_id = $1 AND id = $2 AND status = 'running' RETURNING *`;
const CLAIM = `
  UPDATE recovery_jobs SET lease_token = $1, lease_expires_at = $3
  WHERE id = (SELECT id FROM recovery_jobs WHERE status = 'running' AND (lease_token IS NULL OR lease_expires_at <= $2)
    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING *`;
const HELD = `SELECT * FROM recovery_jobs WHERE id = $1 AND status = 'running' AND lease_token = $2 FOR UPDATE`;
const ANY_BY_ID = 'SELECT * FROM recovery_jobs WHERE id = $1';
const WINDOW_OF_APP = `
  SELECT id FROM deliveries WHERE app_id = $1 AND status = $2 AND id > $3 ORDER BY id LIMIT $4`;
const WINDOW_OF_ENDPOINT = `
  SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = $2 AND id > $3 ORDER BY id LIMIT $4`;
// $8 job, $9 cursor, $10 last id of the window.
const RECORD = `
  INSERT INTO recovery_deliveries (job_id, delivery_id, attempts_before)
  SELECT $8, d.id, d.attempt_count FROM deliveries d WHERE d.id > $9 AND d.id <= $10 AND ${MATCHES}
  ON CONFLICT DO NOTHING`;
const REQUEUE = `
  UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = $4, last_error = NULL, updated_at = $4
  WHERE id IN (SELECT delivery_id FROM recovery_deliveries WHERE job_id = $1 AND delivery_id > $2 AND delivery_id <= $3)
    AND status = $5 AND lease_token IS NULL`;
const ADVANCE = `
  UPDATE recovery_jobs SET cursor = $2, requeued = requeued + $3, scanned = scanned + $4, updated_at = $5,
    lease_expires_at = $6,
    status = CASE WHEN $7 THEN 'completed' ELSE status END,
    finished_at = CASE WHEN $7 THEN $5 ELSE finished_at END,
    lease_token = CASE WHEN $7 THEN NULL ELSE lease_token END
  WHERE id = $1 RETURNING *`;
const OUTCOME = `
  SELECT count(*) FILTER (WHERE d.attempt_count > r.attempts_before AND d.status = 'succeeded')::int AS delivered,
    count(*) FILTER (WHERE d.attempt_count > r.attempts_before AND d.status <> 'succeeded')::int AS "failedAgain",
    count(*) FILTER (WHERE d.attempt_count <= r.attempts_before)::int AS waiting
  FROM recovery_deliveries r JOIN deliveries d ON d.id = r.delivery_id WHERE r.job_id = $1`;

function params(appId: string, filter: RecoveryFilter): unknown[] {
  const f = filterParams(filter);
  return [appId, filter.status, f.endpointId, f.since, f.until, f.types, f.errorCode];
}

export function recoveryQueries(pool: pg.Pool, audited: Audited, transaction: AuditedTransaction) {
  async function batch(client: pg.PoolClient, input: RecoveryBatchInput): Promise<RecoveryBatch | null> {
    const row = (await client.query<RecoveryRow>(HELD, [input.jobId, input.leaseToken])).rows[0];
    if (!row) return null;
    const job = toRecovery(row);
    const { status, endpointId } = job.filter;
    const window = endpointId
      ? await client.query<{ id: string }>(WINDOW_OF_ENDPOINT, [endpointId, status, row.cursor, input.limit])
      : await client.query<{ id: string }>(WINDOW_OF_APP, [job.appId, status, row.cursor, input.limit]);
    const ids = window.rows;
    const last = ids.at(-1)?.id ?? row.cursor;
    let requeued = 0;
    if (ids.length > 0) {
      const recorded = await client.query(RECORD, [...params(job.appId, job.filter), job.id, row.cursor, last]);
      requeued = recorded.rowCount ?? 0;
    }
    if (requeued > 0) {
      await client.query(REQUEUE, [job.id, row.cursor, last, input.now, status]);
      await client.query(`NOTIFY ${DUE_CHANNEL}`);
    }
    const done = ids.length < input.limit;
    const after = await client.query<RecoveryRow>(ADVANCE, [
      job.id,
      last,
      requeued,
      ids.length,
      input.now,
      input.now + input.leaseMs,
      done,
    ]);
    return { requeued, job: toRecovery(after.rows[0] as RecoveryRow), held: true };
  }

  return {
    async countRecoverable(appId: string, filter: RecoveryFilter): Promise<RecoveryCount> {
      const { rows } = await pool.query<{ endpointId: string; count: number }>(COUNT, params(appId, filter));
      return { total: rows.reduce((n, e) => n + e.count, 0), byEndpoint: rows };
    },
    async createRecovery(job: RecoveryJob, audit?: AuditEntry): Promise<RecoveryJob> {
      await audited(audit, (client) => client.query(INSERT, [...recoveryValues(job)]));
      return job;
    },
    async findRecovery(appId: string, id: string): Promise<RecoveryJob | null> {
      const row = (await pool.query<RecoveryRow>(BY_ID, [appId, id])).rows[0];
      return row ? toRecovery(row) : null;
    },
    async listRecoveries(appId: string, query: PageQuery): Promise<Page<RecoveryJob>> {
      const { rows } = await pool.query<RecoveryRow>(PAGE, [appId, query.after ?? null, query.limit + 1]);
      return toPage(rows, query.limit, toRecovery);
    },
    async cancelRecovery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<RecoveryJob | null> {
      const row = await transaction(
        audit,
        async (client) => (await client.query<RecoveryRow>(CANCEL, [appId, id, now])).rows[0] ?? null,
      );
      return row ? toRecovery(row) : null;
    },
    async claimRecovery(input: RecoveryClaimInput): Promise<RecoveryJob | null> {
      const { leaseToken, now, leaseMs } = input;
      const row = (await pool.query<RecoveryRow>(CLAIM, [leaseToken, now, now + leaseMs])).rows[0];
      return row ? toRecovery(row) : null;
    },
    async runRecoveryBatch(input: RecoveryBatchInput): Promise<RecoveryBatch> {
      const result = await inTransaction(pool, (client) => batch(client, input));
      if (result) return result;
      const row = (await pool.query<RecoveryRow>(ANY_BY_ID, [input.jobId])).rows[0];
      return { requeued: 0, job: row ? toRecovery(row) : null, held: false };
    },
    async recoveryOutcome(jobId: string): Promise<RecoveryOutcome> {
      const row = (await pool.query<RecoveryOutcome>(OUTCOME, [jobId])).rows[0];
      return row ?? { delivered: 0, failedAgain: 0, waiting: 0 };
    },
  };
}
