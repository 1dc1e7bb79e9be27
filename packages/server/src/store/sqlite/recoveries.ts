/**
 * Recovery jobs on SQLite. A batch looks at the next `limit` deliveries in the filter's status past the job's
 * high-water mark (an index range), records and re-queues those that match, and moves the mark, in one short
 * IMMEDIATE transaction: the write lock is held for one batch only, never for the whole job.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, RecoveryCount, RecoveryFilter, RecoveryJob, RecoveryOutcome } from '../../domain/index.js';
import type { Page, PageQuery } from '../admin-store.js';
import { filterParams, type RecoveryRow, recoveryValues, toRecovery } from '../recovery-rows.js';
import type { RecoveryBatch, RecoveryBatchInput, RecoveryClaimInput } from '../recovery-store.js';
import type { Audited } from './audit-log.js';
import { toPage } from './rows.js';

// What a delivery must be to be recovered: the filter holds, it is not in flight, its message still has a payload
// (retention purged nothing it needs) and its endpoint is not disabled (it would only fail again at once).
const MATCHES = `
  d.app_id = @appId AND d.status = @status AND d.lease_token IS NULL
  AND (@endpointId IS NULL OR d.endpoint_id = @endpointId)
  AND (@since IS NULL OR d.created_at >= @since) AND (@until IS NULL OR d.created_at < @until)
  AND EXISTS (SELECT 1 FROM messages m WHERE m.id = d.message_id AND m.payload <> ''
    AND (@types IS NULL OR m.type IN (SELECT value FROM json_each(@types))))
  AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.disabled_at IS NULL)
  AND (@errorCode IS NULL OR (SELECT a.error_code FROM attempts a WHERE a.delivery_id = d.id
    ORDER BY a.number DESC, a.started_at DESC LIMIT 1) = @errorCode)`;

type Params = Record<string, string | number | null>;

function params(appId: string, filter: RecoveryFilter): Params {
  const { types, ...rest } = filterParams(filter);
  return { appId, status: filter.status, ...rest, types: types && JSON.stringify(types) };
}

export function recoveryQueries(db: Database.Database, audited: Audited) {
  const count = db.prepare<Params, { endpointId: string; count: number }>(`
    SELECT d.endpoint_id AS endpointId, count(*) AS count FROM deliveries d WHERE ${MATCHES}
    GROUP BY d.endpoint_id ORDER BY d.endpoint_id`);
  const insert = db.prepare(`
    INSERT INTO recovery_jobs (id, app_id, filter, status, total, requeued, scanned, created_by, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const byId = db.prepare<[string, string], RecoveryRow>('SELECT * FROM recovery_jobs WHERE app_id = ? AND id = ?');
  const anyById = db.prepare<[string], RecoveryRow>('SELECT * FROM recovery_jobs WHERE id = ?');
  const page = db.prepare<{ appId: string; after: string | null; n: number }, RecoveryRow>(`
    SELECT * FROM recovery_jobs WHERE app_id = @appId AND (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT @n`);
  const cancel = db.prepare<{ appId: string; id: string; now: number }, RecoveryRow>(`
    UPDATE recovery_jobs SET status = 'cancelled', finished_at = @now, updated_at = @now, lease_token = NULL
    WHERE app_id = @appId AND id = @id AND status = 'running' RETURNING *`);
  const claim = db.prepare<{ token: string; now: number; until: number }, RecoveryRow>(`
    UPDATE recovery_jobs SET lease_token = @token, lease_expires_at = @until
    WHERE id = (SELECT id FROM recovery_jobs WHERE status = 'running'
      AND (lease_token IS NULL OR lease_expires_at <= @now) ORDER BY id LIMIT 1)
    RETURNING *`);
  const held = db.prepare<{ jobId: string; token: string }, RecoveryRow>(
    `SELECT * FROM recovery_jobs WHERE id = @jobId AND status = 'running' AND lease_token = @token`,
  );
  const windowOfApp = db.prepare<{ appId: string; status: string; cursor: string; limit: number }, string>(`
    SELECT id FROM deliveries WHERE app_id = @appId AND status = @status AND id > @cursor ORDER BY id LIMIT @limit`);
  const windowOfEndpoint = db.prepare<{ endpointId: string; status: string; cursor: string; limit: number }, string>(`
    SELECT id FROM deliveries WHERE endpoint_id = @endpointId AND status = @status AND id > @cursor ORDER BY id LIMIT @limit`);
  const record = db.prepare(`
    INSERT OR IGNORE INTO recovery_deliveries (job_id, delivery_id, attempts_before)
    SELECT @jobId, d.id, d.attempt_count FROM deliveries d WHERE d.id > @cursor AND d.id <= @last AND ${MATCHES}`);
  const requeue = db.prepare(`
    UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = @now, last_error = NULL, updated_at = @now
    WHERE id IN (SELECT delivery_id FROM recovery_deliveries WHERE job_id = @jobId AND delivery_id > @cursor
      AND delivery_id <= @last) AND status = @status AND lease_token IS NULL`);
  const advance = db.prepare<Params, RecoveryRow>(`
    UPDATE recovery_jobs SET cursor = @last, requeued = requeued + @requeued, scanned = scanned + @scanned,
      updated_at = @now, lease_expires_at = @until,
      status = CASE WHEN @done THEN 'completed' ELSE status END,
      finished_at = CASE WHEN @done THEN @now ELSE finished_at END,
      lease_token = CASE WHEN @done THEN NULL ELSE lease_token END
    WHERE id = @jobId RETURNING *`);
  const outcome = db.prepare<[string], { delivered: number | null; failedAgain: number | null; waiting: number | null }>(`
    SELECT sum(d.attempt_count > r.attempts_before AND d.status = 'succeeded') AS delivered,
      sum(d.attempt_count > r.attempts_before AND d.status <> 'succeeded') AS failedAgain,
      sum(d.attempt_count <= r.attempts_before) AS waiting
    FROM recovery_deliveries r JOIN deliveries d ON d.id = r.delivery_id WHERE r.job_id = ?`);

  const batch = db.transaction((input: RecoveryBatchInput): RecoveryBatch | null => {
    const row = held.get({ jobId: input.jobId, token: input.leaseToken });
    if (!row) return null;
    const job = toRecovery(row);
    const { status, endpointId } = job.filter;
    const window = { status, cursor: row.cursor, limit: input.limit };
    const ids = (
      endpointId
        ? windowOfEndpoint.pluck().all({ endpointId, ...window })
        : windowOfApp.pluck().all({ appId: job.appId, ...window })
    ) as string[];
    const last = ids.at(-1) ?? row.cursor;
    const range = { jobId: job.id, cursor: row.cursor, last, now: input.now };
    const requeued = ids.length === 0 ? 0 : record.run({ ...params(job.appId, job.filter), ...range }).changes;
    if (requeued > 0) requeue.run({ ...range, status });
    const done = ids.length < input.limit ? 1 : 0;
    const until = input.now + input.leaseMs;
    const after = advance.get({ ...range, requeued, scanned: ids.length, until, done }) as RecoveryRow;
    return { requeued, job: toRecovery(after), held: true };
  });

  return {
    async countRecoverable(appId: string, filter: RecoveryFilter): Promise<RecoveryCount> {
      const byEndpoint = count.all(params(appId, filter));
      return { total: byEndpoint.reduce((n, e) => n + e.count, 0), byEndpoint };
    },
    async createRecovery(job: RecoveryJob, audit?: AuditEntry): Promise<RecoveryJob> {
      audited(audit, () => insert.run(...recoveryValues(job)));
      return job;
    },
    async findRecovery(appId: string, id: string): Promise<RecoveryJob | null> {
      const row = byId.get(appId, id);
      return row ? toRecovery(row) : null;
    },
    async listRecoveries(appId: string, query: PageQuery): Promise<Page<RecoveryJob>> {
      return toPage(page.all({ appId, after: query.after ?? null, n: query.limit + 1 }), query.limit, toRecovery);
    },
    async cancelRecovery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<RecoveryJob | null> {
      const row = audited(audit, () => cancel.get({ appId, id, now }) ?? null);
      return row ? toRecovery(row) : null;
    },
    async claimRecovery(input: RecoveryClaimInput): Promise<RecoveryJob | null> {
      const row = claim.get({ token: input.leaseToken, now: input.now, until: input.now + input.leaseMs });
      return row ? toRecovery(row) : null;
    },
    async runRecoveryBatch(input: RecoveryBatchInput): Promise<RecoveryBatch> {
      const result = batch.immediate(input);
      if (result) return result;
      const row = anyById.get(input.jobId);
      return { requeued: 0, job: row ? toRecovery(row) : null, held: false };
    },
    async recoveryOutcome(jobId: string): Promise<RecoveryOutcome> {
      const row = outcome.get(jobId);
      return { delivered: row?.delivered ?? 0, failedAgain: row?.failedAgain ?? 0, waiting: row?.waiting ?? 0 };
    },
  };
}
