/** Saving an attempt's outcome, under the lease that the claim handed out. */
import type pg from 'pg';
import type { RecordAttemptInput } from '../store.js';
import { disableEndpoint } from './endpoints.js';
import { inTransaction } from './pool.js';
import { storableText } from './rows.js';

// Locks the delivery so its lease cannot change hands while the outcome is written.
const LEASE_OF = `
  SELECT d.lease_token, d.endpoint_id, e.disabled_at IS NOT NULL AS disabled
  FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
  WHERE d.id = $1
  FOR UPDATE OF d`;
const INSERT_ATTEMPT = `
  INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, request_headers, response_status, response_body, error)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const FINISH = `
  UPDATE deliveries SET status = $3, attempt_count = attempt_count + 1, attempts_in_run = attempts_in_run + 1,
    next_attempt_at = $4, lease_token = NULL, last_error = $5, updated_at = $6
  WHERE id = $1 AND lease_token = $2`;

export async function recordAttempt(pool: pg.Pool, input: RecordAttemptInput): Promise<void> {
  const { attempt, next } = input;
  await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ lease_token: string | null; endpoint_id: string; disabled: boolean }>(LEASE_OF, [
      attempt.deliveryId,
    ]);
    const current = rows[0];
    if (!current) return; // Deleted meanwhile, with its endpoint or app: nothing is left to record.
    await client.query(INSERT_ATTEMPT, [
      attempt.id,
      attempt.deliveryId,
      attempt.number,
      attempt.startedAt,
      attempt.durationMs,
      JSON.stringify(attempt.requestHeaders),
      attempt.responseStatus,
      storableText(attempt.responseBody),
      storableText(attempt.error),
    ]);
    if (current.lease_token !== input.leaseToken) return; // The lease ran out and another worker took over.
    // A delivery whose endpoint was disabled meanwhile stops instead of retrying.
    const retryAt = next.status === 'pending' && !current.disabled ? next.nextAttemptAt : null;
    const status = next.status === 'pending' && retryAt === null ? 'failed' : next.status;
    const lastError = status === 'succeeded' ? null : storableText(attempt.error ?? `HTTP ${attempt.responseStatus}`);
    await client.query(FINISH, [attempt.deliveryId, input.leaseToken, status, retryAt, lastError, input.now]);
    if (next.status === 'failed' && next.disableEndpoint)
      await disableEndpoint(client, current.endpoint_id, next.disableEndpoint, input.now);
  });
}
