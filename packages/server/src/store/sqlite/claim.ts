/**
 * Leasing due deliveries, in one transaction:
 * 1. endpoints with delivery limits, each as much as its limits allow now;
 * 2. the soonest due deliveries of the others, read from a bounded window of the due index, each endpoint up to its cap;
 * 3. when that window was full (more is due beyond it), every other endpoint with due work, from its own index, so one
 *    endpoint's backlog never hides another's and no claim walks a backlog.
 * Every step keeps each app within its in-flight cap, so one app's backlog, however hung, leaves room for the others.
 * A claim that returns fewer than asked has taken everything it could. Disabled and paused endpoints are left out where
 * each step reads the endpoint's row anyway: a paused backlog is skipped like one at its cap, never attempted.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type ClaimedDelivery, claimAllowance, rateNextAt } from '../../domain/index.js';
import { type ClaimInput, NO_APP_CAP } from '../queue-store.js';
import { type ClaimRow, toClaimedDelivery } from './rows.js';

// Rows the window reads per free slot: room for rows of endpoints at their cap before step 3 has to look further.
const WINDOW_FACTOR = 2;
// The window stops early after this many rows in a row it could not take: a backlog at its cap, step 3's to go past.
const WINDOW_SKIPS = 32;

const LIMITED = 'e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.fifo';

interface LimitedRow {
  id: string;
  app_id: string;
  app_cap: number;
  rate_limit: number | null;
  max_in_flight: number | null;
  fifo: number;
  rate_next_at: number | null;
}

function claimQuery(db: Database.Database): Database.Transaction<(input: ClaimInput) => ClaimedDelivery[]> {
  // Covered by deliveries_due (next_attempt_at, endpoint_id): no table row is read.
  const window = db.prepare<{ now: number; n: number }, { rowid: number; endpoint_id: string }>(`
    SELECT rowid, endpoint_id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= @now
    ORDER BY next_attempt_at LIMIT @n`);
  const endpointInfo = db.prepare<{ id: string; appCap: number }, { excluded: number; app_id: string; app_cap: number }>(`
    SELECT e.disabled_at IS NOT NULL OR e.paused_at IS NOT NULL OR ${LIMITED} AS excluded, e.app_id,
      coalesce(a.max_in_flight, @appCap) AS app_cap
    FROM endpoints e JOIN apps a ON a.id = e.app_id WHERE e.id = @id`);
  const appCapOf = db.prepare<{ id: string; appCap: number }, { cap: number }>(
    'SELECT coalesce(max_in_flight, @appCap) AS cap FROM apps WHERE id = @id',
  );
  // Endpoints without limits that have a delivery due, soonest first. `pending` hops through the per-endpoint index
  // from one endpoint to the next (a loose index scan), so only endpoints with pending deliveries are looked at,
  // however many endpoints there are.
  const dueEndpoints = db.prepare<{ now: number; skip: string; skipApps: string; n: number }, { id: string }>(`
    WITH RECURSIVE pending(endpoint_id) AS (
      SELECT min(endpoint_id) FROM deliveries WHERE status = 'pending'
      UNION ALL
      SELECT (SELECT min(d.endpoint_id) FROM deliveries d WHERE d.status = 'pending' AND d.endpoint_id > p.endpoint_id)
      FROM pending p WHERE p.endpoint_id IS NOT NULL
    )
    SELECT id FROM (
      SELECT e.id, (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS due_at
      FROM pending p JOIN endpoints e ON e.id = p.endpoint_id
      WHERE e.disabled_at IS NULL AND e.paused_at IS NULL AND NOT (${LIMITED}) AND e.id NOT IN (SELECT value FROM json_each(@skip))
        AND e.app_id NOT IN (SELECT value FROM json_each(@skipApps))
    ) WHERE due_at <= @now ORDER BY due_at LIMIT @n`);
  // Limited endpoints that have a delivery due and whose rate lets one start.
  const limited = db.prepare<{ now: number; appCap: number }, LimitedRow>(`
    SELECT e.id, e.app_id, coalesce(a.max_in_flight, @appCap) AS app_cap, e.rate_limit, e.max_in_flight, e.fifo,
      e.rate_next_at
    FROM endpoints e JOIN apps a ON a.id = e.app_id
    WHERE (${LIMITED}) AND e.disabled_at IS NULL AND e.paused_at IS NULL AND coalesce(e.rate_next_at, 0) <= @now
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= @now)`);
  // Named: left to itself the planner walks deliveries_due_by_endpoint, through every retry the endpoint has scheduled.
  const leasedCount = db.prepare<{ endpointId: string; now: number }, { n: number }>(`
    SELECT count(*) AS n FROM deliveries INDEXED BY deliveries_leased
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
  const claimed = db.prepare<{ rowid: number; now: number; appCap: number }, ClaimRow>(`
    SELECT d.*, m.type AS m_type, m.payload AS m_payload, m.forward_headers AS m_headers, m.trace_parent AS m_trace_parent,
      m.trace_state AS m_trace_state, e.send_trace_context AS e_send_trace_context, e.url AS e_url, e.secret AS e_secret,
      CASE WHEN e.previous_secret_expires_at > @now THEN e.previous_secret END AS e_previous_secret,
      e.signature_scheme AS e_scheme, e.headers AS e_headers, e.transformation AS e_transformation,
      m.created_at AS m_created_at, ${LIMITED} AS e_limited,
      coalesce(a.max_in_flight, @appCap) AS a_cap
    FROM deliveries d JOIN messages m ON m.id = d.message_id JOIN endpoints e ON e.id = d.endpoint_id
      JOIN apps a ON a.id = e.app_id
    WHERE d.rowid = @rowid`);

  /** What the claim has in flight per app, mine and taken so far, against each app's cap. */
  class AppShares {
    private readonly busy: Map<string, number>;
    private readonly caps = new Map<string, number>();
    constructor(private readonly input: ClaimInput) {
      this.busy = new Map(input.appInFlight ?? []);
    }
    private cap(appId: string, known?: number): number {
      let cap = this.caps.get(appId) ?? known;
      if (cap === undefined) cap = appCapOf.get({ id: appId, appCap: this.input.appCap ?? NO_APP_CAP })?.cap ?? NO_APP_CAP;
      this.caps.set(appId, cap);
      return cap;
    }
    room(appId: string, known?: number): number {
      return this.cap(appId, known) - (this.busy.get(appId) ?? 0);
    }
    take(appId: string, n: number): void {
      this.busy.set(appId, (this.busy.get(appId) ?? 0) + n);
    }
    full(): string[] {
      return [...this.busy.keys()].filter((appId) => this.room(appId) <= 0);
    }
  }

  /** The due deliveries a limited endpoint may start now, oldest first. */
  function allowedOf(endpoint: LimitedRow, input: ClaimInput, room: number): number[] {
    const fifo = endpoint.fifo === 1;
    const n = Math.min(
      room,
      claimAllowance({
        limits: { rateLimit: endpoint.rate_limit, maxInFlight: endpoint.max_in_flight, fifo },
        inFlightEverywhere: leasedCount.get({ endpointId: endpoint.id, now: input.now })?.n ?? 0,
        inFlightHere: input.inFlight.get(endpoint.id) ?? 0,
        capHere: input.limitedEndpointCap ?? input.endpointCap,
        rateNextAt: endpoint.rate_next_at,
        now: input.now,
      }),
    );
    if (n <= 0) return [];
    if (!fifo) return dueOf.all({ endpointId: endpoint.id, now: input.now, n }).map((row) => row.rowid);
    const first = head.get({ endpointId: endpoint.id });
    return first && first.next_attempt_at <= input.now ? [first.rowid] : [];
  }

  function claimLimited(input: ClaimInput, taken: number[], apps: AppShares): void {
    for (const endpoint of limited.all({ now: input.now, appCap: input.appCap ?? NO_APP_CAP })) {
      if (taken.length >= input.limit) return;
      const room = Math.min(input.limit - taken.length, apps.room(endpoint.app_id, endpoint.app_cap));
      if (room <= 0) continue;
      const allowed = allowedOf(endpoint, input, room);
      taken.push(...allowed);
      apps.take(endpoint.app_id, allowed.length);
      if (endpoint.rate_limit !== null && allowed.length > 0) {
        setRateNextAt.run({
          id: endpoint.id,
          at: rateNextAt(endpoint.rate_limit, endpoint.rate_next_at, allowed.length, input.now),
        });
      }
    }
  }

  /** Steps 2 and 3: endpoints without limits, each up to the cap with what `busy` says it has in flight. */
  function claimUnlimited(input: ClaimInput, taken: number[], apps: AppShares): void {
    const busy = new Map(input.inFlight);
    const infos = new Map<string, { excluded: boolean; appId: string; appCap: number }>();
    const infoOf = (endpointId: string) => {
      let known = infos.get(endpointId);
      if (known === undefined) {
        const row = endpointInfo.get({ id: endpointId, appCap: input.appCap ?? NO_APP_CAP });
        known = { excluded: !row || row.excluded === 1, appId: row?.app_id ?? '', appCap: row?.app_cap ?? 0 };
        infos.set(endpointId, known);
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
      const info = infoOf(endpoint_id);
      if (n >= input.endpointCap || info.excluded || apps.room(info.appId, info.appCap) <= 0) {
        lookFurther = ++skippedInARow >= WINDOW_SKIPS;
        if (lookFurther) break;
        continue;
      }
      skippedInARow = 0;
      busy.set(endpoint_id, n + 1);
      apps.take(info.appId, 1);
      taken.push(rowid);
      fromWindow.set(endpoint_id, (fromWindow.get(endpoint_id) ?? new Set()).add(rowid));
    }
    // A window that ended short saw everything due.
    if (!lookFurther && read < scan) return;
    // An app that fills up while its endpoints are taken hides the endpoints listed after them: list again without it.
    for (let appFilled = true; appFilled && taken.length < input.limit; ) {
      appFilled = false;
      const full = [...busy].filter(([, n]) => n >= input.endpointCap).map(([id]) => id);
      const n = input.limit - taken.length;
      const skipApps = JSON.stringify(apps.full());
      const endpoints = dueEndpoints.all({ now: input.now, skip: JSON.stringify(full), skipApps, n });
      for (const { id } of endpoints) {
        const { appId, appCap } = infoOf(id);
        const appRoom = apps.room(appId, appCap);
        if (appRoom <= 0) appFilled = endpoints.length === n;
        const room = Math.min(input.limit - taken.length, input.endpointCap - (busy.get(id) ?? 0), appRoom);
        if (room <= 0) continue;
        // The window took its soonest already, if any: read past them.
        const seen = fromWindow.get(id) ?? new Set<number>();
        let got = 0;
        for (const { rowid } of dueOf.all({ endpointId: id, now: input.now, n: room + seen.size })) {
          if (seen.has(rowid) || got >= room) continue;
          taken.push(rowid);
          got++;
        }
        busy.set(id, (busy.get(id) ?? 0) + got);
        apps.take(appId, got);
      }
    }
  }

  return db.transaction((input: ClaimInput): ClaimedDelivery[] => {
    const token = randomUUID();
    const taken: number[] = [];
    const apps = new AppShares(input);
    claimLimited(input, taken, apps);
    if (taken.length < input.limit) claimUnlimited(input, taken, apps);
    const appCap = input.appCap ?? NO_APP_CAP;
    return taken.map((rowid) => {
      lease.run({ rowid, token, now: input.now, leaseUntil: input.now + input.leaseMs });
      return toClaimedDelivery(claimed.get({ rowid, now: input.now, appCap }) as ClaimRow, token);
    });
  });
}

/** Leases due deliveries in `db`: one immediate transaction a call. */
export function deliveryClaimer(db: Database.Database): (input: ClaimInput) => Promise<ClaimedDelivery[]> {
  const claim = claimQuery(db);
  return async (input) => claim.immediate(input);
}
