/**
 * Leasing due deliveries, in one transaction:
 * 1. endpoints with delivery limits, each as much as its limits allow now;
 * 2. the soonest due deliveries of the others, read from a bounded window of the due index, each endpoint up to its cap;
 * 3. when that window was full (more is due beyond it), every other endpoint with due work, from its own index, so one
 *    endpoint's backlog never hides another's and no claim walks a backlog.
 * A claim that returns fewer than asked has taken everything it could.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type ClaimedDelivery, claimAllowance, rateNextAt } from '../../domain/index.js';
import type { ClaimInput } from '../store.js';
import { type ClaimRow, toClaimedDelivery } from './rows.js';

// Rows the window reads per free slot: room for rows of endpoints at their cap before step 3 has to look further.
const WINDOW_FACTOR = 2;
// The window stops early after this many rows in a row it could not take: a backlog at its cap, step 3's to go past.
const WINDOW_SKIPS = 32;

const LIMITED = 'rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR fifo';

interface LimitedRow {
  id: string;
  rate_limit: number | null;
  max_in_flight: number | null;
  fifo: number;
  rate_next_at: number | null;
}

export function claimQuery(db: Database.Database): Database.Transaction<(input: ClaimInput) => ClaimedDelivery[]> {
  // Covered by deliveries_due (next_attempt_at, endpoint_id): no table row is read.
  const window = db.prepare<{ now: number; n: number }, { rowid: number; endpoint_id: string }>(`
    SELECT rowid, endpoint_id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= @now
    ORDER BY next_attempt_at LIMIT @n`);
  const excluded = db.prepare<[string], { excluded: number }>(
    `SELECT disabled_at IS NOT NULL OR ${LIMITED} AS excluded FROM endpoints WHERE id = ?`,
  );
  // Endpoints without limits that have a delivery due, soonest first. `pending` hops through the per-endpoint index
  // from one endpoint to the next (a loose index scan), so only endpoints with pending deliveries are looked at,
  // however many endpoints there are.
  const dueEndpoints = db.prepare<{ now: number; skip: string; n: number }, { id: string }>(`
    WITH RECURSIVE pending(endpoint_id) AS (
      SELECT min(endpoint_id) FROM deliveries WHERE status = 'pending'
      UNION ALL
      SELECT (SELECT min(d.endpoint_id) FROM deliveries d WHERE d.status = 'pending' AND d.endpoint_id > p.endpoint_id)
      FROM pending p WHERE p.endpoint_id IS NOT NULL
    )
    SELECT id FROM (
      SELECT e.id, (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS due_at
      FROM pending p JOIN endpoints e ON e.id = p.endpoint_id
      WHERE e.disabled_at IS NULL AND NOT (${LIMITED}) AND e.id NOT IN (SELECT value FROM json_each(@skip))
    ) WHERE due_at <= @now ORDER BY due_at LIMIT @n`);
  // Limited endpoints that have a delivery due and whose rate lets one start.
  const limited = db.prepare<{ now: number }, LimitedRow>(`
    SELECT e.id, e.rate_limit, e.max_in_flight, e.fifo, e.rate_next_at FROM endpoints e
    WHERE (${LIMITED}) AND e.disabled_at IS NULL AND coalesce(e.rate_next_at, 0) <= @now
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= @now)`);
  const leasedCount = db.prepare<{ endpointId: string; now: number }, { n: number }>(`
    SELECT count(*) AS n FROM deliveries
    WHERE endpoint_id = @endpointId AND lease_token IS NOT NULL AND status = 'pending' AND next_attempt_at > @now`);
  const dueOf = db.prepare<{ endpointId: string; now: number; n: number }, { rowid: number }>(`
    SELECT rowid FROM deliveries WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at <= @now
    ORDER BY next_attempt_at LIMIT @n`);
  // The FIFO head: the endpoint's oldest pending delivery, whether due or waiting for a retry.
  const head = db.prepare<{ endpointId: string }, { rowid: number; next_attempt_at: number }>(`
    SELECT rowid, next_attempt_at FROM deliveries WHERE endpoint_id = @endpointId AND status = 'pending'
    ORDER BY rowid LIMIT 1`);
  const setRateNextAt = db.prepare('UPDATE endpoints SET rate_next_at = @at WHERE id = @id');
  const lease = db.prepare(
    'UPDATE deliveries SET next_attempt_at = @leaseUntil, lease_token = @token, updated_at = @now WHERE rowid = @rowid',
  );
  // The rotated-out secret comes along only while its overlap lasts.
  const claimed = db.prepare<{ rowid: number; now: number }, ClaimRow>(`
    SELECT d.*, m.type AS m_type, m.payload AS m_payload, m.forward_headers AS m_headers, e.url AS e_url, e.secret AS e_secret,
      CASE WHEN e.previous_secret_expires_at > @now THEN e.previous_secret END AS e_previous_secret,
      e.signature_scheme AS e_scheme, e.headers AS e_headers, ${LIMITED} AS e_limited
    FROM deliveries d JOIN messages m ON m.id = d.message_id JOIN endpoints e ON e.id = d.endpoint_id
    WHERE d.rowid = @rowid`);

  /** The due deliveries a limited endpoint may start now, oldest first. */
  function allowedOf(endpoint: LimitedRow, input: ClaimInput, room: number): number[] {
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
    if (!fifo) return dueOf.all({ endpointId: endpoint.id, now: input.now, n }).map((row) => row.rowid);
    const first = head.get({ endpointId: endpoint.id });
    return first && first.next_attempt_at <= input.now ? [first.rowid] : [];
  }

  function claimLimited(input: ClaimInput, taken: number[]): void {
    for (const endpoint of limited.all({ now: input.now })) {
      if (taken.length >= input.limit) return;
      const allowed = allowedOf(endpoint, input, input.limit - taken.length);
      taken.push(...allowed);
      if (endpoint.rate_limit !== null && allowed.length > 0) {
        setRateNextAt.run({
          id: endpoint.id,
          at: rateNextAt(endpoint.rate_limit, endpoint.rate_next_at, allowed.length, input.now),
        });
      }
    }
  }

  /** Steps 2 and 3: endpoints without limits, each up to the cap with what `busy` says it has in flight. */
  function claimUnlimited(input: ClaimInput, taken: number[]): void {
    const busy = new Map(input.inFlight);
    const skip = new Map<string, boolean>();
    const isExcluded = (endpointId: string) => {
      let known = skip.get(endpointId);
      if (known === undefined) {
        known = excluded.get(endpointId)?.excluded === 1;
        skip.set(endpointId, known);
      }
      return known;
    };
    const scan = (input.limit - taken.length) * WINDOW_FACTOR;
    const fromWindow = new Map<string, Set<number>>();
    let read = 0;
    let skippedInARow = 0;
    let lookFurther = false;
    for (const { rowid, endpoint_id } of window.iterate({ now: input.now, n: scan })) {
      read++;
      if (taken.length >= input.limit) return;
      const n = busy.get(endpoint_id) ?? 0;
      if (n >= input.endpointCap || isExcluded(endpoint_id)) {
        lookFurther = ++skippedInARow >= WINDOW_SKIPS;
        if (lookFurther) break;
        continue;
      }
      skippedInARow = 0;
      busy.set(endpoint_id, n + 1);
      taken.push(rowid);
      fromWindow.set(endpoint_id, (fromWindow.get(endpoint_id) ?? new Set()).add(rowid));
    }
    // A window that ended short saw everything due.
    if (!lookFurther && read < scan) return;
    const full = [...busy].filter(([, n]) => n >= input.endpointCap).map(([id]) => id);
    const endpoints = dueEndpoints.all({ now: input.now, skip: JSON.stringify(full), n: input.limit - taken.length });
    for (const { id } of endpoints) {
      const room = Math.min(input.limit - taken.length, input.endpointCap - (busy.get(id) ?? 0));
      if (room <= 0) continue;
      // The window took its soonest already, if any: read past them.
      const seen = fromWindow.get(id) ?? new Set<number>();
      for (const { rowid } of dueOf.all({ endpointId: id, now: input.now, n: room + seen.size })) {
        if (!seen.has(rowid)) taken.push(rowid);
      }
    }
  }

  return db.transaction((input: ClaimInput): ClaimedDelivery[] => {
    const token = randomUUID();
    const taken: number[] = [];
    claimLimited(input, taken);
    if (taken.length < input.limit) claimUnlimited(input, taken);
    return taken.map((rowid) => {
      lease.run({ rowid, token, now: input.now, leaseUntil: input.now + input.leaseMs });
      return toClaimedDelivery(claimed.get({ rowid, now: input.now }) as ClaimRow, token);
    });
  });
}
