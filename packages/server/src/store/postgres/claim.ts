/** Leasing due deliveries: one statement per batch, so claimers in many processes never take the same row. */
import { randomUUID } from 'node:crypto';
import type { ClaimedDelivery } from '../../domain/index.js';
import type { ClaimInput } from '../store.js';
import type { Queryable } from './pool.js';
import { type ClaimRow, toClaimedDelivery } from './rows.js';

// Rows read per claim beyond the limit, so one saturated endpoint's backlog cannot fill the batch.
const CLAIM_SCAN_FACTOR = 4;

// candidates: due rows of enabled endpoints not at their cap, soonest first, read without locks (locking
//   every row looked at would write to each of them).
// chosen: the soonest of those, letting each endpoint reach at most the cap with what this worker has in flight.
// locked: the chosen rows still pending and due once locked (PostgreSQL re-reads a row it waited for);
//   rows another claimer holds are skipped, not waited for.
// leased: they become due again when the lease runs out, under a fresh token.
// The rotated-out secret comes along only while its overlap lasts.
const CLAIM = `
  WITH candidates AS MATERIALIZED (
    SELECT d.id, d.endpoint_id, d.next_attempt_at AS due_at
    FROM deliveries d
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1
      AND d.endpoint_id <> ALL ($2::text[])
      AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.disabled_at IS NOT NULL)
    ORDER BY d.next_attempt_at
    LIMIT $3
  ),
  chosen AS MATERIALIZED (
    SELECT c.id, c.due_at
    FROM (SELECT *, row_number() OVER (PARTITION BY endpoint_id ORDER BY due_at, id) AS nth FROM candidates) c
    LEFT JOIN unnest($4::text[], $5::int[]) AS busy(endpoint_id, n) ON busy.endpoint_id = c.endpoint_id
    WHERE c.nth + coalesce(busy.n, 0) <= $6
    ORDER BY c.due_at, c.id
    LIMIT $7
  ),
  locked AS MATERIALIZED (
    SELECT d.id, chosen.due_at
    FROM deliveries d JOIN chosen ON chosen.id = d.id
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1
    FOR UPDATE OF d SKIP LOCKED
  ),
  leased AS (
    UPDATE deliveries d SET next_attempt_at = $8, lease_token = $9, updated_at = $1
    FROM locked WHERE d.id = locked.id
    RETURNING d.*, locked.due_at
  )
  SELECT (SELECT count(*) FROM chosen)::int AS chosen_count, l.*,
    m.type AS m_type, m.payload AS m_payload, e.url AS e_url, e.secret AS e_secret,
    CASE WHEN e.previous_secret_expires_at > $1 THEN e.previous_secret END AS e_previous_secret,
    e.signature_scheme AS e_scheme, e.headers AS e_headers
  FROM (SELECT 1) AS always_one_row
  LEFT JOIN (leased l JOIN messages m ON m.id = l.message_id JOIN endpoints e ON e.id = l.endpoint_id) ON true
  ORDER BY l.due_at, l.id`;

/** Claims raced by another worker are run again, a few times, so a worker does not idle beside free work. */
const CONTENDED_RETRIES = 3;

export async function claimDueDeliveries(db: Queryable, input: ClaimInput): Promise<ClaimedDelivery[]> {
  const inFlight = new Map(input.inFlight);
  const claimed: ClaimedDelivery[] = [];
  for (let run = 0; run <= CONTENDED_RETRIES && claimed.length < input.limit; run++) {
    const { leased, contended } = await claimOnce(db, { ...input, inFlight, limit: input.limit - claimed.length });
    claimed.push(...leased);
    for (const item of leased) inFlight.set(item.endpoint.id, (inFlight.get(item.endpoint.id) ?? 0) + 1);
    if (!contended) break;
  }
  return claimed;
}

async function claimOnce(db: Queryable, input: ClaimInput): Promise<{ leased: ClaimedDelivery[]; contended: boolean }> {
  const busy = [...input.inFlight].filter(([, n]) => n > 0);
  const saturated = busy.filter(([, n]) => n >= input.endpointCap).map(([id]) => id);
  const token = randomUUID();
  const { rows } = await db.query<ClaimRow>(CLAIM, [
    input.now,
    saturated,
    input.limit * CLAIM_SCAN_FACTOR,
    busy.map(([id]) => id),
    busy.map(([, n]) => n),
    input.endpointCap,
    input.limit,
    input.now + input.leaseMs,
    token,
  ]);
  const leased = rows.filter((row) => row.id !== null).map((row) => toClaimedDelivery(row, token));
  return { leased, contended: leased.length < (rows[0]?.chosen_count ?? 0) };
}
