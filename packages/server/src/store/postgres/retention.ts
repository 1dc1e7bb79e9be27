/** Retention: old attempts go, old finished messages lose their payload, old finished recovery jobs go. */
import type { PurgeInput, PurgeResult } from '../ops-store.js';
import type { Queryable } from './pool.js';

// SKIP LOCKED: rows another process is purging (or writing) now are left for the next batch, never waited on.
// A message with a pending delivery keeps its payload: that delivery still has to send it.
const PURGE = `
  WITH gone AS (
    DELETE FROM attempts WHERE id IN (
      SELECT id FROM attempts WHERE started_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING 1
  ),
  dropped AS (
    UPDATE messages SET payload = '' WHERE id IN (
      SELECT m.id FROM messages m
      WHERE m.created_at < $1 AND m.payload <> ''
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
      LIMIT $2 FOR UPDATE OF m SKIP LOCKED)
    RETURNING 1
  ),
  records AS (
    DELETE FROM recovery_deliveries WHERE (job_id, delivery_id) IN (
      SELECT r.job_id, r.delivery_id FROM recovery_jobs j JOIN recovery_deliveries r ON r.job_id = j.id
      WHERE j.finished_at < $1 LIMIT $2 FOR UPDATE OF r SKIP LOCKED)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone)::int AS attempts, (SELECT count(*) FROM dropped)::int AS messages,
    (SELECT count(*) FROM records)::int AS "recoveryRecords"`;
// A statement of its own, so that it sees the records the purge deleted.
const PURGE_RECOVERY_JOBS = `
  DELETE FROM recovery_jobs j WHERE j.finished_at < $1
    AND NOT EXISTS (SELECT 1 FROM recovery_deliveries r WHERE r.job_id = j.id)`;

export async function purgeBefore(db: Queryable, input: PurgeInput): Promise<PurgeResult> {
  const { rows } = await db.query<PurgeResult>(PURGE, [input.cutoff, input.limit]);
  await db.query(PURGE_RECOVERY_JOBS, [input.cutoff]);
  return { attempts: rows[0]?.attempts ?? 0, messages: rows[0]?.messages ?? 0, recoveryRecords: rows[0]?.recoveryRecords ?? 0 };
}
