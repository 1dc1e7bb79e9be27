/** Leasing due deliveries, in one transaction: endpoints with delivery limits first, then the rest. */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type ClaimedDelivery, claimAllowance, rateNextAt } from '../../domain/index.js';
import type { ClaimInput } from '../store.js';
import { type ClaimRow, toClaimedDelivery } from './rows.js';

// Rows read per claim beyond the limit, so one saturated endpoint's backlog cannot fill the batch.
const CLAIM_SCAN_FACTOR = 4;

const LIMITED = 'rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR fifo';

interface LimitedRow {
  id: string;
  rate_limit: number | null;
  max_in_flight: number | null;
  fifo: number;
  rate_next_at: number | null;
}

export function claimQuery(db: Database.Database) {
  const due = db.prepare<{ now: number; saturated: string; scan: number }, { id: string; endpoint_id: string }>(`
    SELECT id, endpoint_id FROM deliveries
    WHERE status = 'pending' AND next_attempt_at <= @now
      AND endpoint_id NOT IN (SELECT value FROM json_each(@saturated))
      AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled_at IS NOT NULL OR ${LIMITED})
    ORDER BY next_attempt_at LIMIT @scan`);
  // Limited endpoints that have a delivery due and whose rate lets one start.
  const limited = db.prepare<{ now: number }, LimitedRow>(`
    SELECT e.id, e.rate_limit, e.max_in_flight, e.fifo, e.rate_next_at FROM endpoints e
    WHERE (${LIMITED}) AND e.disabled_at IS NULL AND coalesce(e.rate_next_at, 0) <= @now
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= @now)`);
  const leasedCount = db.prepare<{ endpointId: string; now: number }, { n: number }>(`
    SELECT count(*) AS n FROM deliveries
    WHERE endpoint_id = @endpointId AND lease_token IS NOT NULL AND status = 'pending' AND next_attempt_at > @now`);
  const dueOf = db.prepare<{ endpointId: string; now: number; n: number }, { id: string }>(`
    SELECT id FROM deliveries WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at <= @now
    ORDER BY next_attempt_at LIMIT @n`);
  // The FIFO head: the endpoint's oldest pending delivery, whether due or waiting for a retry.
  const head = db.prepare<{ endpointId: string }, { id: string; next_attempt_at: number }>(`
    SELECT id, next_attempt_at FROM deliveries WHERE endpoint_id = @endpointId AND status = 'pending'
    ORDER BY rowid LIMIT 1`);
  const setRateNextAt = db.prepare('UPDATE endpoints SET rate_next_at = @at WHERE id = @id');
  const lease = db.prepare(
    'UPDATE deliveries SET next_attempt_at = @leaseUntil, lease_token = @token, updated_at = @now WHERE id = @id',
  );
  // The rotated-out secret comes along only while its overlap lasts.
  const claimed = db.prepare<{ id: string; now: number }, ClaimRow>(`
    SELECT d.*, m.type AS m_type, m.payload AS m_payload, m.forward_headers AS m_headers, e.url AS e_url, e.secret AS e_secret,
      CASE WHEN e.previous_secret_expires_at > @now THEN e.previous_secret END AS e_previous_secret,
      e.signature_scheme AS e_scheme, e.headers AS e_headers, ${LIMITED} AS e_limited
    FROM deliveries d JOIN messages m ON m.id = d.message_id JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.id = @id`);

  /** The due deliveries a limited endpoint may start now, oldest first. */
  function allowedOf(endpoint: LimitedRow, input: ClaimInput, room: number): string[] {
    const fifo = endpoint.fifo === 1;
    const n = Math.min(
      room,
      claimAllowance({
        limits: { rateLimit: endpoint.rate_limit, maxInFlight: endpoint.max_in_flight, fifo },
        inFlightEverywhere: leasedCount.get({ endpointId: endpoint.id, now: input.now })?.n ?? 0,
        inFlightHere: input.inFlight.get(endpoint.id) ?? 0,
        capHere: input.endpointCap,
        rateNextAt: endpoint.rate_next_at,
        now: input.now,
      }),
    );
    if (n <= 0) return [];
    if (!fifo) return dueOf.all({ endpointId: endpoint.id, now: input.now, n }).map((row) => row.id);
    const first = head.get({ endpointId: endpoint.id });
    return first && first.next_attempt_at <= input.now ? [first.id] : [];
  }

  return db.transaction((input: ClaimInput): ClaimedDelivery[] => {
    const token = randomUUID();
    const ids: string[] = [];
    for (const endpoint of limited.all({ now: input.now })) {
      if (ids.length >= input.limit) break;
      const taken = allowedOf(endpoint, input, input.limit - ids.length);
      ids.push(...taken);
      if (endpoint.rate_limit !== null && taken.length > 0) {
        setRateNextAt.run({
          id: endpoint.id,
          at: rateNextAt(endpoint.rate_limit, endpoint.rate_next_at, taken.length, input.now),
        });
      }
    }
    const saturated = [...input.inFlight].filter(([, n]) => n >= input.endpointCap).map(([id]) => id);
    const candidates = due.all({ now: input.now, saturated: JSON.stringify(saturated), scan: input.limit * CLAIM_SCAN_FACTOR });
    const perEndpoint = new Map(input.inFlight);
    for (const { id, endpoint_id } of candidates) {
      if (ids.length >= input.limit) break;
      const busy = perEndpoint.get(endpoint_id) ?? 0;
      if (busy >= input.endpointCap) continue;
      perEndpoint.set(endpoint_id, busy + 1);
      ids.push(id);
    }
    return ids.map((id) => {
      lease.run({ id, token, now: input.now, leaseUntil: input.now + input.leaseMs });
      return toClaimedDelivery(claimed.get({ id, now: input.now }) as ClaimRow, token);
    });
  });
}
