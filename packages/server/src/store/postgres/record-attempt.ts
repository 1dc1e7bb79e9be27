/** Saving an attempt's outcome, under the lease that the claim handed out: one statement, one round trip. */
import { autoDisableReason } from '../../domain/index.js';
import type { RecordAttemptInput, RecordAttemptResult } from '../store.js';
import { disableEndpoint, disableFailingEndpoint } from './endpoints.js';
import type { Queryable } from './pool.js';
import { storableText } from './rows.js';

// current: the delivery, locked so its lease cannot change hands while the outcome is written.
// attempt: always recorded while the delivery exists, even when the lease has passed to another worker.
// health: every attempt tells about the endpoint's health: a success ends the run of failures, the first failure
//   starts one. Written only when it changes, so attempts at a busy endpoint do not queue on its row.
// finished: the delivery moves on only if the lease is still this one's; a delivery whose endpoint was
//   disabled meanwhile fails instead of retrying.
const RECORD = `
  WITH current AS (
    SELECT d.id, d.lease_token, d.endpoint_id, e.disabled_at IS NOT NULL AS disabled, e.failing_since
    FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.id = $1
    FOR UPDATE OF d
  ),
  attempt AS (
    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, request_headers, response_status, response_body, error,
      endpoint_id)
    SELECT $2, current.id, $3, $4, $5, $6, $7, $8, $9, current.endpoint_id FROM current
  ),
  health AS (
    UPDATE endpoints e SET failing_since = CASE WHEN $11 = 'succeeded' THEN NULL ELSE $4::bigint END
    FROM current c
    WHERE e.id = c.endpoint_id
      AND CASE WHEN $11 = 'succeeded' THEN e.failing_since IS NOT NULL ELSE e.failing_since IS NULL END
    RETURNING e.failing_since
  ),
  finished AS (
    UPDATE deliveries d SET
      status = CASE WHEN $11 = 'pending' AND c.disabled THEN 'failed' ELSE $11 END,
      attempt_count = d.attempt_count + 1,
      attempts_in_run = d.attempts_in_run + 1,
      next_attempt_at = CASE WHEN $11 = 'pending' AND NOT c.disabled THEN $12::bigint END,
      lease_token = NULL,
      last_error = $13,
      updated_at = $14
    FROM current c
    WHERE d.id = c.id AND c.lease_token = $10
    RETURNING d.id
  )
  SELECT c.endpoint_id, c.disabled, EXISTS (SELECT 1 FROM finished) AS finished,
    CASE WHEN $11 = 'succeeded' THEN NULL ELSE coalesce((SELECT failing_since FROM health), c.failing_since) END AS failing_since
  FROM current c`;

interface RecordedRow {
  endpoint_id: string;
  disabled: boolean;
  finished: boolean;
  failing_since: number | null;
}

export async function recordAttempt(db: Queryable, input: RecordAttemptInput): Promise<RecordAttemptResult> {
  const { attempt, next } = input;
  const lastError = next.status === 'succeeded' ? null : storableText(attempt.error ?? `HTTP ${attempt.responseStatus}`);
  const { rows } = await db.query<RecordedRow>(RECORD, [
    attempt.deliveryId,
    attempt.id,
    attempt.number,
    attempt.startedAt,
    attempt.durationMs,
    JSON.stringify(attempt.requestHeaders),
    attempt.responseStatus,
    storableText(attempt.responseBody),
    storableText(attempt.error),
    input.leaseToken,
    next.status,
    next.status === 'pending' ? next.nextAttemptAt : null,
    lastError,
    input.now,
  ]);
  // Disabling is idempotent, so it may follow in its own statement: a crash in between leaves the
  // next attempt at this endpoint to disable it.
  const recorded = rows[0];
  if (!recorded) return { finished: false, disabled: null };
  const { finished } = recorded;
  if (finished && next.status === 'failed' && next.disableEndpoint) {
    const disabled = await disableEndpoint(db, recorded.endpoint_id, next.disableEndpoint, input.now);
    return { finished, disabled: disabled ? next.disableEndpoint : null };
  }
  const reason = recorded.disabled ? null : autoDisableReason(recorded.failing_since, input.now, input.disableAfterMs);
  // Only if the run is still the one judged: a success recorded meanwhile by another worker keeps it enabled.
  if (reason !== null && recorded.failing_since !== null) {
    const disabled = await disableFailingEndpoint(db, recorded.endpoint_id, recorded.failing_since, reason, input.now);
    return { finished, disabled: disabled ? reason : null };
  }
  return { finished, disabled: null };
}
