/**
 * Saving attempts' outcomes, under the leases the claims handed out: one statement per record, or one for all the
 * records that arrive together, sharing a round trip and a commit (see group-commit.ts). Each call learns its own result.
 */
import { autoDisableReason } from '../../domain/index.js';
import { isStoreUnavailable } from '../errors.js';
import { groupCommit } from '../group-commit.js';
import type { RecordAttemptInput, RecordAttemptResult } from '../queue-store.js';
import { disableEndpoint, disableFailingEndpoint } from './endpoints.js';
import { prepared, type Queryable } from './pool.js';
import { storableText } from './rows.js';

// current: the delivery, locked so its lease cannot change hands while the outcome is written.
// attempt: always recorded while the delivery exists, even when the lease has passed to another worker.
// health: every attempt tells about the endpoint's health: a success ends the run of failures, the first failure
//   starts one. Written only when it changes, so attempts at a busy endpoint do not queue on its row.
// finished: the delivery moves on only if the lease is still this one's; a delivery whose endpoint was
//   disabled meanwhile fails instead of retrying.
const RECORD_ONE = prepared(
  'record_one',
  `
  WITH current AS (
    SELECT d.id, d.lease_token, d.endpoint_id, e.disabled_at IS NOT NULL AS disabled, e.failing_since
    FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.id = $1
    FOR UPDATE OF d
  ),
  attempt AS (
    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, request_headers, response_status, response_body,
      error_code, error_message, endpoint_id, response_headers, request_body)
    SELECT $2, current.id, $3, $4, $5, $6, $7, $8, $9, $15, current.endpoint_id, $16::json, $17 FROM current
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
      lease_token = NULL, lease_until = NULL, lease_limited = false,
      last_error = $13,
      updated_at = $14
    FROM current c
    WHERE d.id = c.id AND c.lease_token = $10
    RETURNING d.id
  )
  SELECT c.endpoint_id, c.disabled, EXISTS (SELECT 1 FROM finished) AS finished,
    CASE WHEN $11 = 'succeeded' THEN NULL ELSE coalesce((SELECT failing_since FROM health), c.failing_since) END AS failing_since
  FROM current c`,
);

// The same for records made together, each keeping the meaning it would have alone.
// given: the batch's records, one array per column; ord is each record's place in the batch.
// current: the deliveries, locked so their leases cannot change hands while the outcomes are written. Locked in id
//   order, as every batch does, so that batches from several workers wait for each other instead of deadlocking.
// attempt: always recorded while the delivery exists, even when the lease has passed to another worker.
// ordered, judged: every attempt tells about its endpoint's health: a success ends the run of failures, the first
//   failure starts one. An endpoint's records are taken in the order their attempts started; run counts the
//   successes so far (run 0 goes on with the endpoint's run from before the batch), run_start is when the failures
//   of a run began.
// health: the endpoint's state after its latest record, written only when it changes, so attempts at a busy endpoint
//   do not queue on its row. Endpoints are locked in id order too.
// finished: a delivery moves on only if the lease is still this record's; one whose endpoint was disabled
//   meanwhile fails instead of retrying.
const RECORD_MANY = prepared(
  'record_many',
  `
  WITH given AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::int[], $6::text[], $7::int[], $8::text[],
      $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::bigint[], $15::text[], $16::text[], $17::text[])
      WITH ORDINALITY AS g(delivery_id, attempt_id, number, started_at, duration_ms, request_headers, response_status,
        response_body, error_code, lease_token, status, next_attempt_at, last_error, updated_at, error_message,
        response_headers, request_body, ord)
  ),
  current AS (
    SELECT d.id, d.lease_token, d.endpoint_id, e.disabled_at IS NOT NULL AS disabled, e.failing_since
    FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.id = ANY($1::text[])
    ORDER BY d.id
    FOR UPDATE OF d
  ),
  attempt AS (
    INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, request_headers, response_status, response_body,
      error_code, error_message, endpoint_id, response_headers, request_body)
    SELECT g.attempt_id, c.id, g.number, g.started_at, g.duration_ms, g.request_headers::json, g.response_status,
      g.response_body, g.error_code, g.error_message, c.endpoint_id, g.response_headers::json, g.request_body
    FROM given g JOIN current c ON c.id = g.delivery_id
    ORDER BY g.ord
  ),
  ordered AS (
    SELECT g.ord, g.delivery_id, g.status, g.started_at, c.endpoint_id, c.disabled, c.failing_since AS failing_before,
      count(*) FILTER (WHERE g.status = 'succeeded') OVER (PARTITION BY c.endpoint_id ORDER BY g.started_at, g.ord) AS run,
      row_number() OVER (PARTITION BY c.endpoint_id ORDER BY g.started_at DESC, g.ord DESC) = 1 AS latest
    FROM given g JOIN current c ON c.id = g.delivery_id
  ),
  judged AS (
    SELECT o.*, min(o.started_at) FILTER (WHERE o.status <> 'succeeded') OVER (PARTITION BY o.endpoint_id, o.run) AS run_start
    FROM ordered o
  ),
  health AS (
    UPDATE endpoints e SET failing_since = changed.run_start
    FROM (
      SELECT h.id, j.run_start FROM endpoints h JOIN judged j ON j.endpoint_id = h.id AND j.latest
      WHERE CASE WHEN j.run > 0 THEN h.failing_since IS DISTINCT FROM j.run_start ELSE h.failing_since IS NULL END
      ORDER BY h.id
      FOR NO KEY UPDATE OF h
    ) changed
    WHERE e.id = changed.id
  ),
  finished AS (
    UPDATE deliveries d SET
      status = CASE WHEN g.status = 'pending' AND c.disabled THEN 'failed' ELSE g.status END,
      attempt_count = d.attempt_count + 1,
      attempts_in_run = d.attempts_in_run + 1,
      next_attempt_at = CASE WHEN g.status = 'pending' AND NOT c.disabled THEN g.next_attempt_at END,
      lease_token = NULL, lease_until = NULL, lease_limited = false,
      last_error = g.last_error,
      updated_at = g.updated_at
    FROM given g JOIN current c ON c.id = g.delivery_id
    WHERE d.id = c.id AND c.lease_token = g.lease_token
    RETURNING d.id
  )
  SELECT j.ord, j.endpoint_id, j.disabled, j.delivery_id IN (SELECT id FROM finished) AS finished,
    CASE WHEN j.status = 'succeeded' THEN NULL WHEN j.run = 0 THEN coalesce(j.failing_before, j.run_start) ELSE j.run_start END
      AS failing_since
  FROM judged j`,
);

interface RecordedRow {
  endpoint_id: string;
  disabled: boolean;
  finished: boolean;
  /** When the endpoint's run of failures began, as this record leaves it; null after a success. */
  failing_since: number | null;
}

/** A record's values, in the order both statements number them ($1…$17 alone, one array each in a batch). */
function recordValues(input: RecordAttemptInput): unknown[] {
  const { attempt, next } = input;
  return [
    attempt.deliveryId,
    attempt.id,
    attempt.number,
    attempt.startedAt,
    attempt.durationMs,
    JSON.stringify(attempt.requestHeaders),
    attempt.responseStatus,
    storableText(attempt.responseBody),
    attempt.error?.code ?? null,
    input.leaseToken,
    next.status,
    next.status === 'pending' ? next.nextAttemptAt : null,
    lastError(input),
    input.now,
    storableText(attempt.error?.message ?? null),
    attempt.responseHeaders ? storableText(JSON.stringify(attempt.responseHeaders)) : null,
    storableText(attempt.requestBody ?? null),
  ];
}

/** Writes one record; null when its delivery is gone. */
async function recordOne(db: Queryable, input: RecordAttemptInput): Promise<RecordedRow | null> {
  const { rows } = await db.query<RecordedRow>(RECORD_ONE, recordValues(input));
  return rows[0] ?? null;
}

/** Most records one statement carries; a larger burst runs as several batches side by side on the pool. */
const MAX_RECORD_BATCH = 256;

/** Writes the records in one statement; each comes back as recordOne's would. */
async function recordMany(db: Queryable, inputs: RecordAttemptInput[]): Promise<(RecordedRow | null)[]> {
  const deliveryIds = inputs.map((input) => input.attempt.deliveryId);
  // A statement updates a row once: two records of one delivery (its lease lost, then claimed again by this same
  // process) fail the batch, and each record runs alone.
  if (new Set(deliveryIds).size < deliveryIds.length) throw new Error('one delivery is recorded twice in a batch');
  const values = inputs.map(recordValues);
  const columns = (values[0] ?? []).map((_, i) => values.map((row) => row[i]));
  const { rows } = await db.query<RecordedRow & { ord: number }>(RECORD_MANY, columns);
  const recorded: (RecordedRow | null)[] = inputs.map(() => null);
  for (const row of rows) recorded[row.ord - 1] = row;
  return recorded;
}

function lastError({ attempt, next }: RecordAttemptInput): string | null {
  return next.status === 'succeeded' ? null : storableText(attempt.error?.message ?? `HTTP ${attempt.responseStatus}`);
}

/** Disables the endpoint if this record calls for it: a 410, or failing for too long. */
async function disableIfDue(db: Queryable, input: RecordAttemptInput, recorded: RecordedRow): Promise<RecordAttemptResult> {
  const { next } = input;
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

/** Records attempts through `db`, writing those that arrive in the same turn together. */
export function attemptRecorder(db: Queryable): (input: RecordAttemptInput) => Promise<RecordAttemptResult> {
  const record = groupCommit<RecordAttemptInput, RecordedRow | null>(
    { many: (inputs) => recordMany(db, inputs), one: (input) => recordOne(db, input) },
    { maxBatch: MAX_RECORD_BATCH, failsEveryCall: isStoreUnavailable, maxRunning: 2 },
  );
  return async (input) => {
    const recorded = await record(input);
    if (!recorded) return { finished: false, disabled: null };
    // Disabling is idempotent, so it may follow in its own statement, after the commit: a crash in between leaves
    // the next attempt at this endpoint to disable it.
    return disableIfDue(db, input, recorded);
  };
}
