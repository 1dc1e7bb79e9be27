import type Database from 'better-sqlite3';
import type { Attempt, AuditEntry, Delivery } from '../../domain/index.js';
import type { DeliveryFilter, Page, PageQuery, ReplayInput } from '../admin-store.js';
import type { Lease, SkipClaimedInput } from '../queue-store.js';
import type { Audited } from './audit-log.js';
import { type AttemptRow, type DeliveryRow, toAttempt, toDelivery, toPage } from './rows.js';

export function deliveryQueries(db: Database.Database, audited: Audited) {
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
  // A skipped delivery was held back on purpose: retrying it would send what was meant not to be sent.
  const retry = db.prepare(`
    UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = @now, last_error = NULL, updated_at = @now
    WHERE app_id = @appId AND id = @id AND lease_token IS NULL AND status <> 'skipped'`);
  const skipClaimed = db.prepare(`
    UPDATE deliveries SET status = 'skipped', skip_reason = @reason, next_attempt_at = NULL, lease_token = NULL, updated_at = @now
    WHERE id = @deliveryId AND lease_token = @leaseToken`);
  const release = db.prepare(`
    UPDATE deliveries SET next_attempt_at = @now, lease_token = NULL, updated_at = @now
    WHERE id = @deliveryId AND lease_token = @leaseToken AND status = 'pending'`);
  const releaseAll = db.transaction((leases: readonly Lease[], now: number) => {
    for (const lease of leases) release.run({ ...lease, now });
  });
  // A message retention purged has nothing left to send, so its deliveries stay as they are.
  const replayable = `endpoint_id = @endpointId AND status = @status AND created_at >= @since
      AND (@settledSince IS NULL OR updated_at >= @settledSince) AND message_id IN (SELECT id FROM messages WHERE payload <> '')`;
  const replay = db.prepare(`
    UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = @now, last_error = NULL, updated_at = @now
    WHERE ${replayable}`);
  type Replayable = { endpointId: string; status: string; since: number; settledSince: number | null };
  const countReplayable = db.prepare<Replayable, { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE ${replayable}`);
  // A rate-limited endpoint's next start counts too: its due deliveries wait for it.
  const nextDue = db.prepare<{ now: number }, { at: number | null }>(`
    SELECT min(at) AS at FROM (
      SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND next_attempt_at > @now
      UNION ALL
      SELECT min(rate_next_at) FROM endpoints WHERE rate_limit IS NOT NULL AND disabled_at IS NULL AND paused_at IS NULL AND rate_next_at > @now
    )`);

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
    async retryDelivery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<Delivery | null> {
      return audited(audit, () => {
        if (retry.run({ appId, id, now }).changes === 0) return null;
        return toDelivery(byId.get(appId, id) as DeliveryRow);
      });
    },
    async replayDeliveries({ audit, ...input }: ReplayInput): Promise<number> {
      return audited(audit, () => replay.run({ ...input, settledSince: input.settledSince ?? null }).changes);
    },
    async countReplayable(input: Omit<ReplayInput, 'now' | 'audit'>): Promise<number> {
      const { endpointId, status, since, settledSince } = input;
      return countReplayable.get({ endpointId, status, since, settledSince: settledSince ?? null })?.n ?? 0;
    },
    async skipClaimedDelivery(input: SkipClaimedInput): Promise<boolean> {
      return skipClaimed.run(input).changes === 1;
    },
    async releaseClaims(leases: readonly Lease[], now: number): Promise<void> {
      releaseAll(leases, now);
    },
    async nextDueAfter(now: number): Promise<number | null> {
      return nextDue.get({ now })?.at ?? null;
    },
  };
}
