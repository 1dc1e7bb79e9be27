import type pg from 'pg';
import type { Attempt, AuditEntry, Delivery } from '../../domain/index.js';
import type { DeliveryFilter, Page, PageQuery, ReplayInput } from '../admin-store.js';
import type { Lease, SkipClaimedInput } from '../queue-store.js';
import type { AuditedTransaction } from './audit-log.js';
import { DUE_CHANNEL } from './listen.js';
import { prepared } from './pool.js';
import { type AttemptRow, type DeliveryRow, toAttempt, toDelivery, toPage } from './rows.js';

const BY_ID = 'SELECT * FROM deliveries WHERE app_id = $1 AND id = $2';
const PAGE = `
  SELECT * FROM deliveries
  WHERE app_id = $1 AND ($2::text IS NULL OR id < $2) AND ($3::text IS NULL OR message_id = $3)
    AND ($4::text IS NULL OR endpoint_id = $4) AND ($5::text IS NULL OR status = $5)
  ORDER BY id DESC LIMIT $6`;
const ATTEMPTS_OF = 'SELECT * FROM attempts WHERE delivery_id = $1 ORDER BY number, started_at';
// A delivery with a lease token is in flight: its worker decides what happens next. A skipped one was held back on
// purpose: retrying it would send what was meant not to be sent.
const RETRY = `
  UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = $3, last_error = NULL, updated_at = $3
  WHERE app_id = $1 AND id = $2 AND lease_token IS NULL AND status <> 'skipped'
  RETURNING *`;
const SKIP_CLAIMED = `
  UPDATE deliveries SET status = 'skipped', skip_reason = $3, next_attempt_at = NULL, lease_token = NULL, lease_until = NULL,
    lease_limited = false, updated_at = $4
  WHERE id = $1 AND lease_token = $2`;
const RELEASE = `
  UPDATE deliveries d SET next_attempt_at = $3, lease_token = NULL, lease_until = NULL, lease_limited = false, updated_at = $3
  FROM unnest($1::text[], $2::text[]) AS lease(id, token)
  WHERE d.id = lease.id AND d.lease_token = lease.token AND d.status = 'pending'`;
// A message retention purged has nothing left to send, so its deliveries stay as they are.
const REPLAYABLE = `endpoint_id = $1 AND status = $2 AND created_at >= $3 AND ($4::bigint IS NULL OR updated_at >= $4)
    AND message_id IN (SELECT id FROM messages WHERE payload <> '')`;
const REPLAY = `
  UPDATE deliveries SET status = 'pending', attempts_in_run = 0, next_attempt_at = $5, last_error = NULL, updated_at = $5
  WHERE ${REPLAYABLE}`;
const COUNT_REPLAYABLE = `SELECT count(*)::int AS n FROM deliveries WHERE ${REPLAYABLE}`;
// A rate-limited endpoint's next start counts too: its due deliveries wait for it. So do leases' ends, looked for among
// the soonest due deliveries only (no index holds them; claims take the soonest first, so leases sit there): a lease
// further back that runs out is found by the poll.
const NEXT_DUE = prepared(
  'next_due',
  `
  SELECT least(
    (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at > $1),
    (SELECT min(lease_until) FROM (
      SELECT lease_until FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 256
    ) soonest WHERE lease_until > $1),
    (SELECT min(rate_next_at) FROM endpoints WHERE rate_limit IS NOT NULL AND disabled_at IS NULL AND paused_at IS NULL AND rate_next_at > $1)
  ) AS at`,
);

export function deliveryQueries(pool: pg.Pool, transaction: AuditedTransaction) {
  return {
    async findDelivery(appId: string, id: string): Promise<Delivery | null> {
      const { rows } = await pool.query<DeliveryRow>(BY_ID, [appId, id]);
      return rows[0] ? toDelivery(rows[0]) : null;
    },
    async listDeliveries(appId: string, filter: DeliveryFilter, query: PageQuery): Promise<Page<Delivery>> {
      const { rows } = await pool.query<DeliveryRow>(PAGE, [
        appId,
        query.after ?? null,
        filter.messageId ?? null,
        filter.endpointId ?? null,
        filter.status ?? null,
        query.limit + 1,
      ]);
      return toPage(rows, query.limit, toDelivery);
    },
    async listAttempts(deliveryId: string): Promise<Attempt[]> {
      return (await pool.query<AttemptRow>(ATTEMPTS_OF, [deliveryId])).rows.map(toAttempt);
    },
    async retryDelivery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<Delivery | null> {
      return transaction(audit, async (client) => {
        const { rows } = await client.query<DeliveryRow>(RETRY, [appId, id, now]);
        if (!rows[0]) return null;
        await client.query(`NOTIFY ${DUE_CHANNEL}`);
        return toDelivery(rows[0]);
      });
    },
    async replayDeliveries(input: ReplayInput): Promise<number> {
      return transaction(input.audit, async (client) => {
        const { endpointId, status, since, settledSince, now } = input;
        const { rowCount } = await client.query(REPLAY, [endpointId, status, since, settledSince ?? null, now]);
        if (rowCount) await client.query(`NOTIFY ${DUE_CHANNEL}`);
        return rowCount ?? 0;
      });
    },
    async countReplayable(input: Omit<ReplayInput, 'now' | 'audit'>): Promise<number> {
      const { endpointId, status, since, settledSince } = input;
      const { rows } = await pool.query<{ n: number }>(COUNT_REPLAYABLE, [endpointId, status, since, settledSince ?? null]);
      return rows[0]?.n ?? 0;
    },
    async skipClaimedDelivery(input: SkipClaimedInput): Promise<boolean> {
      const { rowCount } = await pool.query(SKIP_CLAIMED, [input.deliveryId, input.leaseToken, input.reason, input.now]);
      return rowCount === 1;
    },
    async releaseClaims(leases: readonly Lease[], now: number): Promise<void> {
      if (leases.length === 0) return;
      await pool.query(RELEASE, [leases.map((l) => l.deliveryId), leases.map((l) => l.leaseToken), now]);
    },
    async nextDueAfter(now: number): Promise<number | null> {
      const { rows } = await pool.query<{ at: number | null }>(NEXT_DUE, [now]);
      return rows[0]?.at ?? null;
    },
  };
}
