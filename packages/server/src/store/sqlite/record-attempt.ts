/**
 * Saving attempts' outcomes, under the leases the claims handed out. Records that arrive together are written in one
 * transaction (see group-commit.ts); each call learns its own result.
 */
import type Database from 'better-sqlite3';
import { autoDisableReason, nextFailingSince } from '../../domain/index.js';
import { groupCommit } from '../group-commit.js';
import type { RecordAttemptInput, RecordAttemptResult } from '../queue-store.js';

/** Disables the endpoint and fails its pending deliveries, inside the caller's transaction; true when this call did. */
export type DisableEndpointNow = (id: string, reason: string, now: number) => boolean;

/** Records attempts in `db`, writing those that arrive in the same turn in one transaction. */
export function attemptRecorder(
  db: Database.Database,
  disableEndpointNow: DisableEndpointNow,
): (input: RecordAttemptInput) => Promise<RecordAttemptResult> {
  const insertAttempt = db.prepare(`
    INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms, request_headers, response_status,
      response_body, response_headers, request_body, error_code, error_message)
    VALUES (@id, @deliveryId, @endpointId, @number, @startedAt, @durationMs, @requestHeaders, @responseStatus, @responseBody,
      @responseHeaders, @requestBody, @errorCode, @errorMessage)`);
  const leaseOf = db.prepare<
    [string],
    { lease_token: string | null; endpoint_id: string; disabled: number; failing_since: number | null }
  >(
    `SELECT d.lease_token, e.id AS endpoint_id, e.disabled_at IS NOT NULL AS disabled, e.failing_since
     FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE d.id = ?`,
  );
  const setFailingSince = db.prepare('UPDATE endpoints SET failing_since = @failingSince WHERE id = @id');
  const finish = db.prepare(`
    UPDATE deliveries SET status = @status, attempt_count = attempt_count + 1, attempts_in_run = attempts_in_run + 1,
      next_attempt_at = @nextAttemptAt, lease_token = NULL, last_error = @lastError, updated_at = @now
    WHERE id = @id AND lease_token = @token`);

  function recordOne(input: RecordAttemptInput): RecordAttemptResult {
    const { attempt, next } = input;
    const current = leaseOf.get(attempt.deliveryId);
    // Deleted meanwhile, with its endpoint or app: nothing is left to record.
    if (!current) return { finished: false, disabled: null };
    const { error, ...columns } = attempt;
    insertAttempt.run({
      ...columns,
      endpointId: current.endpoint_id,
      requestHeaders: JSON.stringify(attempt.requestHeaders),
      responseHeaders: attempt.responseHeaders ? JSON.stringify(attempt.responseHeaders) : null,
      requestBody: attempt.requestBody ?? null,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
    });
    // Every attempt tells about the endpoint's health, even one whose lease ran out.
    const failingSince = nextFailingSince(current.failing_since, next.status === 'succeeded', attempt.startedAt);
    if (failingSince !== current.failing_since) setFailingSince.run({ id: current.endpoint_id, failingSince });
    const autoDisable = current.disabled ? null : autoDisableReason(failingSince, input.now, input.disableAfterMs);
    if (current.lease_token !== input.leaseToken) {
      // The lease ran out and another worker took over.
      const disabled = autoDisable !== null && disableEndpointNow(current.endpoint_id, autoDisable, input.now);
      return { finished: false, disabled: disabled ? autoDisable : null };
    }
    // A delivery whose endpoint was disabled meanwhile stops instead of retrying.
    const retry = next.status === 'pending' && !current.disabled ? next.nextAttemptAt : null;
    const status = next.status === 'pending' && retry === null ? 'failed' : next.status;
    finish.run({
      id: attempt.deliveryId,
      token: input.leaseToken,
      status,
      nextAttemptAt: retry,
      lastError: status === 'succeeded' ? null : (attempt.error?.message ?? `HTTP ${attempt.responseStatus}`),
      now: input.now,
    });
    const reason = next.status === 'failed' && next.disableEndpoint ? next.disableEndpoint : autoDisable;
    const disabled = reason !== null && disableEndpointNow(current.endpoint_id, reason, input.now);
    return { finished: true, disabled: disabled ? reason : null };
  }

  const recordEach = db.transaction((inputs: RecordAttemptInput[]) => inputs.map(recordOne));
  return groupCommit({ many: async (inputs: RecordAttemptInput[]) => recordEach.immediate(inputs) });
}
