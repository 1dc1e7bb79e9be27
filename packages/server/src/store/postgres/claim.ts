/**
 * Leasing due deliveries so that claimers in many processes never take the same row: endpoints with delivery limits
 * (first while they have work), each under a lock on its row so the limits hold across processes, and the rest in one
 * statement per batch, from a bounded window of the due index and, when that window is full, from each endpoint's own
 * index, so one endpoint's backlog never hides another's and no claim walks a backlog. A claim short of its limit took
 * all it could, but for rows another claimer held. Every step keeps each app within its in-flight cap, so one app's
 * backlog, however hung, leaves room for the others.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type ClaimedDelivery, claimAllowance, rateNextAt } from '../../domain/index.js';
import { type ClaimInput, NO_APP_CAP } from '../queue-store.js';
import { inTransaction, prepared, type Queryable } from './pool.js';
import { type ClaimRow, toClaimedDelivery } from './rows.js';

// Rows the window reads per slot it may fill: room for rows of endpoints at their cap before looking past it.
const WINDOW_FACTOR = 2;

/**
 * The window's rows: twice what the claim may take, and never more than twice one endpoint's cap, since rows past
 * that many are as likely one busy endpoint's backlog (which the window would read to take none of it) as other
 * endpoints' work, which the look past a full window finds through each endpoint's own index.
 */
const windowRows = (input: ClaimInput) => WINDOW_FACTOR * Math.min(input.limit, input.endpointCap);

const LIMITED = 'e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.fifo';
/** What qualifies a column of `row`: the alias and a dot, or nothing for '' (the table's own columns). */
const qualifier = (row: string) => (row === '' ? '' : `${row}.`);
/** A delivery of `row` not under a lease at `now`. */
const unleased = (row: string, now: string) => `(${qualifier(row)}lease_until IS NULL OR ${qualifier(row)}lease_until <= ${now})`;
/**
 * A pending delivery of `row` due at `now`: its time has come and it is not leased. A lease sets lease_until and
 * leaves next_attempt_at, which the indexes order by, alone (migration 29).
 */
export const dueRow = (row: string, now: string) =>
  `${qualifier(row)}status = 'pending' AND ${qualifier(row)}next_attempt_at <= ${now} AND ${unleased(row, now)}`;
// Limited endpoints that have a delivery due and whose rate lets one start; read without locks.
const LIMITED_DUE_FROM = `
  FROM endpoints e
  WHERE (${LIMITED}) AND e.disabled_at IS NULL AND e.paused_at IS NULL AND coalesce(e.rate_next_at, 0) <= $1
    AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${dueRow('d', '$1')})`;

// window: the soonest due rows, whatever their endpoint, read without locks (locking every row looked at would write
//   to each of them).
// pending: only when the window is full: the endpoints with pending deliveries, hopping through the per-endpoint
//   index from one to the next (a loose index scan), so idle endpoints cost nothing however many there are.
// beyond: of those, the ones without limits, not at their cap and not of an app at its cap, with a delivery due,
//   soonest first, and each one's soonest due rows (one index probe per endpoint, never a walk through another's backlog).
// candidates: those of enabled, unpaused endpoints without limits, with their app's cap (a paused backlog in the window
//   is left out here, as one at its cap is, and `beyond` looks past it).
// per_endpoint: of those, the soonest, letting each endpoint reach at most the cap with what this worker has in flight.
// chosen: the soonest of those, letting each app reach at most its cap with what this worker has in flight.
// locked: the chosen rows still pending and due once locked (PostgreSQL re-reads a row it waited for);
//   rows another claimer holds are skipped, not waited for.
// leased: they become due again when the lease runs out, under a fresh token. No indexed column changes: a HOT update.
// The rotated-out secret comes along only while its overlap lasts. limited_due says whether endpoints with limits have
// work now, which this statement leaves to claimLimited: the next claim asks for it only then.
const CLAIM = prepared(
  'claim',
  `
  WITH RECURSIVE win AS MATERIALIZED (
    SELECT d.id, d.endpoint_id, d.next_attempt_at AS due_at
    FROM deliveries d
    WHERE ${dueRow('d', '$1')}
    ORDER BY d.next_attempt_at
    LIMIT $3
  ),
  pending AS (
    SELECT min(endpoint_id) AS endpoint_id FROM deliveries WHERE status = 'pending' AND (SELECT count(*) FROM win) = $3
    UNION ALL
    SELECT (SELECT min(d.endpoint_id) FROM deliveries d WHERE d.status = 'pending' AND d.endpoint_id > p.endpoint_id)
    FROM pending p WHERE p.endpoint_id IS NOT NULL
  ),
  beyond AS MATERIALIZED (
    SELECT x.id, due.endpoint_id, x.due_at
    FROM (
      SELECT * FROM (
        SELECT e.id AS endpoint_id,
          (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending'
            AND ${unleased('d', '$1')}) AS due_at
        FROM pending p JOIN endpoints e ON e.id = p.endpoint_id
        WHERE e.disabled_at IS NULL AND e.paused_at IS NULL AND NOT (${LIMITED}) AND e.id <> ALL ($2::text[])
          AND NOT EXISTS (
            SELECT 1 FROM unnest($11::text[], $12::int[]) AS busy(app_id, n) JOIN apps a ON a.id = busy.app_id
            WHERE busy.app_id = e.app_id AND busy.n >= coalesce(a.max_in_flight, $10)
          )
      ) probe
      WHERE due_at <= $1 ORDER BY due_at LIMIT $7
    ) due
    CROSS JOIN LATERAL (
      SELECT d.id, d.next_attempt_at AS due_at FROM deliveries d
      WHERE d.endpoint_id = due.endpoint_id AND ${dueRow('d', '$1')}
      ORDER BY d.next_attempt_at LIMIT $6
    ) x
  ),
  candidates AS MATERIALIZED (
    SELECT c.id, c.endpoint_id, e.app_id, coalesce(a.max_in_flight, $10) AS app_cap, c.due_at
    FROM (SELECT * FROM win UNION SELECT * FROM beyond) c
    JOIN endpoints e ON e.id = c.endpoint_id JOIN apps a ON a.id = e.app_id
    WHERE e.disabled_at IS NULL AND e.paused_at IS NULL AND NOT (${LIMITED})
  ),
  per_endpoint AS MATERIALIZED (
    SELECT c.id, c.app_id, c.app_cap, c.due_at
    FROM (SELECT *, row_number() OVER (PARTITION BY endpoint_id ORDER BY due_at, id) AS nth FROM candidates) c
    LEFT JOIN unnest($4::text[], $5::int[]) AS busy(endpoint_id, n) ON busy.endpoint_id = c.endpoint_id
    WHERE c.nth + coalesce(busy.n, 0) <= $6
  ),
  chosen AS MATERIALIZED (
    SELECT c.id, c.due_at
    FROM (SELECT *, row_number() OVER (PARTITION BY app_id ORDER BY due_at, id) AS nth FROM per_endpoint) c
    LEFT JOIN unnest($11::text[], $12::int[]) AS busy(app_id, n) ON busy.app_id = c.app_id
    WHERE c.nth + coalesce(busy.n, 0) <= c.app_cap
    ORDER BY c.due_at, c.id
    LIMIT $7
  ),
  locked AS MATERIALIZED (
    SELECT d.id, chosen.due_at
    FROM deliveries d JOIN chosen ON chosen.id = d.id
    WHERE ${dueRow('d', '$1')}
    FOR UPDATE OF d SKIP LOCKED
  ),
  leased AS (
    UPDATE deliveries d SET lease_until = $8, lease_token = $9, updated_at = $1
    FROM locked WHERE d.id = locked.id
    RETURNING d.*, locked.due_at
  )
  SELECT (SELECT count(*) FROM chosen)::int AS chosen_count, (SELECT count(*) FROM per_endpoint)::int AS within_endpoint_caps,
    (SELECT count(*) FROM win)::int AS window_rows, EXISTS (SELECT 1 ${LIMITED_DUE_FROM}) AS limited_due,
    l.*, m.type AS m_type, m.payload AS m_payload, m.forward_headers AS m_headers, m.trace_parent AS m_trace_parent,
    m.trace_state AS m_trace_state, e.send_trace_context AS e_send_trace_context, e.url AS e_url, e.secret AS e_secret,
    CASE WHEN e.previous_secret_expires_at > $1 THEN e.previous_secret END AS e_previous_secret,
    e.signature_scheme AS e_scheme, e.headers AS e_headers, e.transformation AS e_transformation,
    m.created_at AS m_created_at, false AS e_limited, coalesce(a.max_in_flight, $10) AS a_cap
  FROM (SELECT 1) AS always_one_row
  LEFT JOIN (
    leased l JOIN messages m ON m.id = l.message_id JOIN endpoints e ON e.id = l.endpoint_id JOIN apps a ON a.id = e.app_id
  ) ON true
  ORDER BY l.due_at, l.id`,
);

/**
 * Claims raced by another worker, or cut short by an app reaching its cap (which may hide other apps' work past the
 * rows read), are run again, a few times, so a worker does not idle beside free work.
 */
const CONTENDED_RETRIES = 3;

const add = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/**
 * The claims of one store. Endpoints with limits go first while the last claim saw them with work due (and at first);
 * otherwise they cost no round trip of their own, and a claim that sees them due takes them after the rest.
 */
export function claimer(pool: pg.Pool): (input: ClaimInput) => Promise<ClaimedDelivery[]> {
  let limitedDue = true;
  return async (input) => {
    const limitedFirst = limitedDue;
    const claimed = limitedFirst ? await claimLimited(pool, input) : [];
    const inFlight = new Map(input.inFlight);
    const appInFlight = new Map(input.appInFlight ?? []);
    for (const item of claimed) add(appInFlight, item.delivery.appId);
    for (let run = 0; run <= CONTENDED_RETRIES && claimed.length < input.limit; run++) {
      const limit = input.limit - claimed.length;
      const once = await claimOnce(pool, { ...input, inFlight, appInFlight, limit });
      claimed.push(...once.leased);
      for (const item of once.leased) {
        add(inFlight, item.endpoint.id);
        add(appInFlight, item.delivery.appId);
      }
      limitedDue = once.limitedDue;
      if (!once.contended && !once.appCapped) break;
    }
    if (!limitedFirst && limitedDue && claimed.length < input.limit) {
      claimed.push(...(await claimLimited(pool, { ...input, limit: input.limit - claimed.length, appInFlight })));
    }
    return claimed;
  };
}

async function claimOnce(
  db: Queryable,
  input: ClaimInput,
): Promise<{ leased: ClaimedDelivery[]; contended: boolean; appCapped: boolean; limitedDue: boolean }> {
  const busy = [...input.inFlight].filter(([, n]) => n > 0);
  const saturated = busy.filter(([, n]) => n >= input.endpointCap).map(([id]) => id);
  const appBusy = [...(input.appInFlight ?? [])].filter(([, n]) => n > 0);
  const token = randomUUID();
  const { rows } = await db.query<ClaimRow & { within_endpoint_caps: number; window_rows: number; limited_due: boolean }>(CLAIM, [
    input.now,
    saturated,
    windowRows(input),
    busy.map(([id]) => id),
    busy.map(([, n]) => n),
    input.endpointCap,
    input.limit,
    input.now + input.leaseMs,
    token,
    input.appCap ?? NO_APP_CAP,
    appBusy.map(([id]) => id),
    appBusy.map(([, n]) => n),
  ]);
  const leased = rows.filter((row) => row.id !== null).map((row) => toClaimedDelivery(row, token));
  const chosen = rows[0]?.chosen_count ?? 0;
  // Rows the endpoint caps allowed but the app caps did not, in a claim short of its limit whose window was full (so
  // due work of other apps may lie past it): the next run leaves the capped apps out of its look past the window.
  const first = rows[0];
  const appCapped =
    chosen < input.limit && (first?.within_endpoint_caps ?? 0) > chosen && first?.window_rows === windowRows(input);
  return { leased, contended: leased.length < chosen, appCapped, limitedDue: first?.limited_due ?? true };
}

const LIMITED_DUE = prepared('limited_due', `SELECT e.id ${LIMITED_DUE_FROM}`);
// Locked for the rest of the transaction: another claimer skips these endpoints rather than count beside us.
const LOCK_LIMITED = `
  SELECT e.id, e.app_id, coalesce(a.max_in_flight, $3) AS app_cap, e.rate_limit, e.max_in_flight, e.fifo, e.rate_next_at
  FROM endpoints e JOIN apps a ON a.id = e.app_id
  WHERE e.id = ANY ($1::text[]) AND e.disabled_at IS NULL AND e.paused_at IS NULL AND coalesce(e.rate_next_at, 0) <= $2
  FOR UPDATE OF e SKIP LOCKED`;
// A statement of its own, so that its snapshot sees every lease committed before the lock was granted. Only leases
// taken under the endpoint's limits count: what it had in flight before it was given limits is at most one round.
const LEASED_COUNT = `
  SELECT count(*)::int AS n FROM deliveries
  WHERE endpoint_id = $1 AND lease_limited AND status = 'pending' AND lease_until > $2`;
const DUE_OF = `
  SELECT id FROM deliveries WHERE endpoint_id = $1 AND ${dueRow('', '$2')}
  ORDER BY next_attempt_at LIMIT $3`;
// The FIFO head: the endpoint's oldest pending delivery, whether due, leased or waiting for a retry.
const HEAD_OF = `
  SELECT id FROM (
    SELECT * FROM deliveries WHERE endpoint_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1
  ) head
  WHERE ${dueRow('head', '$2')}`;
// lease_limited: counted by LEASED_COUNT through its own index (an indexed column: not a HOT update, for these alone).
const LEASE = `
  WITH leased AS (
    UPDATE deliveries d SET lease_until = $3, lease_token = $4, lease_limited = true, updated_at = $2
    WHERE d.id = ANY ($1::text[]) AND ${dueRow('d', '$2')}
    RETURNING d.*
  )
  SELECT l.*, m.type AS m_type, m.payload AS m_payload, m.forward_headers AS m_headers, m.trace_parent AS m_trace_parent,
    m.trace_state AS m_trace_state, e.send_trace_context AS e_send_trace_context, e.url AS e_url, e.secret AS e_secret,
    CASE WHEN e.previous_secret_expires_at > $2 THEN e.previous_secret END AS e_previous_secret,
    e.signature_scheme AS e_scheme, e.headers AS e_headers, e.transformation AS e_transformation,
    m.created_at AS m_created_at, true AS e_limited, coalesce(a.max_in_flight, $5) AS a_cap
  FROM leased l JOIN messages m ON m.id = l.message_id JOIN endpoints e ON e.id = l.endpoint_id
    JOIN apps a ON a.id = e.app_id
  ORDER BY l.next_attempt_at, l.id`;
const SET_RATE_NEXT_AT = 'UPDATE endpoints SET rate_next_at = $2 WHERE id = $1';

interface LimitedRow {
  id: string;
  app_id: string;
  app_cap: number;
  rate_limit: number | null;
  max_in_flight: number | null;
  fifo: boolean;
  rate_next_at: number | null;
}

/** Claims for endpoints with delivery limits, as much as each one's limits allow now. */
async function claimLimited(pool: pg.Pool, input: ClaimInput): Promise<ClaimedDelivery[]> {
  const { rows: due } = await pool.query<{ id: string }>(LIMITED_DUE, [input.now]);
  if (due.length === 0) return [];
  return inTransaction(pool, async (client) => {
    const appCap = input.appCap ?? NO_APP_CAP;
    const { rows: endpoints } = await client.query<LimitedRow>(LOCK_LIMITED, [due.map((row) => row.id), input.now, appCap]);
    const token = randomUUID();
    const claimed: ClaimedDelivery[] = [];
    const appBusy = new Map(input.appInFlight ?? []);
    for (const endpoint of endpoints) {
      if (claimed.length >= input.limit) break;
      const room = Math.min(input.limit - claimed.length, endpoint.app_cap - (appBusy.get(endpoint.app_id) ?? 0));
      if (room <= 0) continue;
      const { rows: leasedNow } = await client.query<{ n: number }>(LEASED_COUNT, [endpoint.id, input.now]);
      const n = Math.min(
        room,
        claimAllowance({
          limits: { rateLimit: endpoint.rate_limit, maxInFlight: endpoint.max_in_flight, fifo: endpoint.fifo },
          inFlightEverywhere: leasedNow[0]?.n ?? 0,
          inFlightHere: input.inFlight.get(endpoint.id) ?? 0,
          capHere: input.limitedEndpointCap ?? input.endpointCap,
          rateNextAt: endpoint.rate_next_at,
          now: input.now,
        }),
      );
      if (n <= 0) continue;
      const { rows: chosen } = await client.query<{ id: string }>(
        endpoint.fifo ? HEAD_OF : DUE_OF,
        endpoint.fifo ? [endpoint.id, input.now] : [endpoint.id, input.now, n],
      );
      if (chosen.length === 0) continue;
      const { rows } = await client.query<ClaimRow>(LEASE, [
        chosen.map((row) => row.id),
        input.now,
        input.now + input.leaseMs,
        token,
        appCap,
      ]);
      claimed.push(...rows.map((row) => toClaimedDelivery(row, token)));
      appBusy.set(endpoint.app_id, (appBusy.get(endpoint.app_id) ?? 0) + rows.length);
      if (endpoint.rate_limit !== null && rows.length > 0) {
        await client.query(SET_RATE_NEXT_AT, [
          endpoint.id,
          rateNextAt(endpoint.rate_limit, endpoint.rate_next_at, rows.length, input.now),
        ]);
      }
    }
    return claimed;
  });
}
