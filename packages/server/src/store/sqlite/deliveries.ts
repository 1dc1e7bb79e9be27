import type Database from 'better-sqlite3';
import { type Attempt, autoDisableReason, type ClaimedDelivery, type Delivery, nextFailingSince } from '../../domain/index.js';
import type {
  ClaimInput,
  DeliveryFilter,
  Page,
  PageQuery,
  RecordAttemptInput,
  RecordAttemptResult,
  ReplayInput,
} from '../store.js';
import { claimQuery } from './claim.js';
import { groupCommit } from './group-commit.js';
import { type AttemptRow, type DeliveryRow, toAttempt, toDelivery, toPage } from './rows.js';

export function deliveryQueries(db: Database.Database, disableEndpointNow: (id: string, reason: string, now: number) => boolean) {
  const byId = db.prepare<[string, string], DeliveryRow>('SELECT * FROM deliveries WHERE app_id = ? AND id = ?');
  const page = db.prepare<
    {
      appId: string;
      after: string | null;
      messageId: string | null;
      endpointId: string | null;
      status: string | null;
      n: number;
    },
    DeliveryRow
  >(`
    SELECT * FROM deliveries
    WHERE app_id = @appId AND (@after IS NULL OR id < @after) AND (@messageId IS NULL OR message_id = @messageId)
      AND (@endpointId IS NULL OR endpoint_id = @endpointId) AND (@status IS NULL OR status = @status)
    ORDER BY id DESC LIMIT @n`);
  const attemptsOf = db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number, started_at');
  const retry = db.prepare(`
    UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = @now, last_error = NULL, updated_at = @now
    WHERE app_id = @appId AND id = @id AND lease_token IS NULL`);
  // A message retention purged has nothing left to send, so its deliveries stay as they are.
  const replay = db.prepare(`
    UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = @now, last_error = NULL, updated_at = @now
    WHERE endpoint_id = @endpointId AND status = @status AND created_at >= @since
      AND message_id IN (SELECT id FROM messages WHERE payload <> '')`);
  const insertAttempt = db.prepare(`
    INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms, request_headers, response_status,
      response_body, error_code, error_message)
    VALUES (@id, @deliveryId, @endpointId, @number, @startedAt, @durationMs, @requestHeaders, @responseStatus, @responseBody,
      @errorCode, @errorMessage)`);
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
  // A rate-limited endpoint's next start counts too: its due deliveries wait for it.
  const nextDue = db.prepare<{ now: number }, { at: number | null }>(`
    SELECT min(at) AS at FROM (
      SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND next_attempt_at > @now
      UNION ALL
      SELECT min(rate_next_at) FROM endpoints WHERE rate_limit IS NOT NULL AND disabled_at IS NULL AND rate_next_at > @now
    )`);

  const claim = claimQuery(db);

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
  const record = groupCommit(db, recordOne);

  return {
    async findDelivery(appId: string, id: string): Promise<Delivery | null> {
      const row = byId.get(appId, id);
      return row ? toDelivery(row) : null;
    },
    async listDeliveries(appId: string, filter: DeliveryFilter, query: PageQuery): Promise<Page<Delivery>> {
      const rows = page.all({
        appId,
        after: query.after ?? null,
        messageId: filter.messageId ?? null,
        endpointId: filter.endpointId ?? null,
        status: filter.status ?? null,
        n: query.limit + 1,
      });
      return toPage(rows, query.limit, toDelivery);
    },
    async listAttempts(deliveryId: string): Promise<Attempt[]> {
      return attemptsOf.all(deliveryId).map(toAttempt);
    },
    async retryDelivery(appId: string, id: string, now: number): Promise<Delivery | null> {
      if (retry.run({ appId, id, now }).changes === 0) return null;
      return toDelivery(byId.get(appId, id) as DeliveryRow);
    },
    async replayDeliveries(input: ReplayInput): Promise<number> {
      return replay.run(input).changes;
    },
    async claimDueDeliveries(input: ClaimInput): Promise<ClaimedDelivery[]> {
      return claim.immediate(input);
    },
    recordAttempt: record,
    async nextDueAfter(now: number): Promise<number | null> {
      return nextDue.get({ now })?.at ?? null;
    },
  };
}
