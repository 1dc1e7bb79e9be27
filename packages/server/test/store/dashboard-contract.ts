/**
 * Store contract, the dashboard: its reads (attempt charts, troubled endpoints, delivery counts per message, status
 * filter) and its server-side sessions, which revoking an app's portal access or its token ends in every process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditEntry, type Endpoint, newId, type UiSession } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anAttempt, anEndpoint, MINUTE, T0, withOpenStore } from './fixtures.js';

const aSession = (fields: Partial<UiSession>): UiSession => ({
  idHash: 'a'.repeat(64),
  appId: null,
  tokenId: null,
  csrf: 'csrf',
  expiresAt: T0 + 60_000,
  createdAt: T0,
  ...fields,
});

export function dashboardContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  /** An app with `endpointCount` endpoints and one message (one delivery per endpoint) per entry of `times`. */
  async function seed(store: Store, endpointCount: number, times: number[]) {
    const app = await store.createApp(anApp());
    const endpoints: Endpoint[] = [];
    for (let i = 0; i < endpointCount; i++)
      endpoints.push(await store.createEndpoint(anEndpoint(app.id, { id: newId('ep'), url: `http://127.0.0.1:9/h${i}` })));
    const messageIds: string[] = [];
    for (const at of times) {
      const id = newId('msg', at);
      messageIds.push(id);
      await store.publishMessage({
        message: { id, appId: app.id, type: 'order.created', payload: '{}', idempotencyKey: null, createdAt: at },
        idempotencyWindowMs: 0,
      });
    }
    return { app, endpoints, messageIds };
  }

  /** Claims every due delivery at `now` and records one attempt for each with the status `statusOf` picks. */
  async function attemptAll(store: Store, now: number, statusOf: (endpointId: string) => number, durationMs = 10) {
    const claimed = await store.claimDueDeliveries({ now, limit: 100, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });
    for (const c of claimed) {
      const status = statusOf(c.endpoint.id);
      await store.recordAttempt({
        attempt: anAttempt(c.delivery.id, { id: newId('atm', now), startedAt: now, durationMs, responseStatus: status }),
        leaseToken: c.leaseToken,
        next: status < 300 ? { status: 'succeeded' } : { status: 'failed' },
        now,
      });
    }
    return claimed.length;
  }

  test('attemptSeries buckets attempts by start time, with successes and mean latency, per app or for all', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 2, [T0, T0]);
      const other = await seed(store, 1, [T0]);
      const [good] = endpoints as [Endpoint, Endpoint];
      assert.equal(await attemptAll(store, T0 + 30_000, (ep) => (ep === good.id ? 200 : 500), 20), 5);
      const series = await store.attemptSeries({ since: T0, until: T0 + 10 * MINUTE, bucketMs: MINUTE, appId: app.id });
      assert.deepEqual(series, [{ index: 0, attempts: 4, successes: 2, avgLatencyMs: 20 }]);
      const all = await store.attemptSeries({ since: T0 - MINUTE, until: T0 + 10 * MINUTE, bucketMs: MINUTE });
      assert.equal(all.length, 1);
      assert.equal(all[0]?.index, 1, 'buckets count from since');
      assert.equal(all[0]?.attempts, 5);
      const none = await store.attemptSeries({ since: T0 + MINUTE, until: T0 + 2 * MINUTE, bucketMs: MINUTE });
      assert.deepEqual(none, [], 'attempts outside the range are left out');
      assert.ok(other.app.id);
    }));

  test('troubledEndpoints lists disabled endpoints, then failing ones, of one app or all; lastAttemptOf is the newest', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 3, [T0]);
      const [healthy, failing, disabled] = endpoints as [Endpoint, Endpoint, Endpoint];
      await attemptAll(store, T0 + 1, (ep) => (ep === healthy.id ? 200 : 503));
      await store.disableEndpoint(disabled.id, 'gone', T0 + 2);
      const troubled = await store.troubledEndpoints(app.id, 10);
      assert.deepEqual(
        troubled.map((t) => [t.endpoint.id, t.endpoint.disabledReason, t.failingSince]),
        [
          [disabled.id, 'gone', T0 + 1],
          [failing.id, null, T0 + 1],
        ],
      );
      assert.equal((await store.troubledEndpoints(null, 1)).length, 1, 'the limit holds');
      const other = await seed(store, 1, []);
      assert.deepEqual(await store.troubledEndpoints(other.app.id, 10), []);
      assert.equal((await store.lastAttemptOf(failing.id))?.responseStatus, 503);
      assert.equal(await store.lastAttemptOf(other.endpoints[0]?.id as string), null);
    }));

  test('an open endpoint.failing episode lists the endpoint as troubled; endpointErrors reads its last error and error mix', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 1, [T0, T0, T0, T0]);
      const ep = endpoints[0] as Endpoint;
      const claimed = await store.claimDueDeliveries({
        now: T0,
        limit: 10,
        leaseMs: 30_000,
        endpointCap: 10,
        inFlight: new Map(),
      });
      // Three failures of two kinds, then a success: no run of failures, but a failure rate the ops monitor alerts on.
      const outcomes = [
        { responseStatus: 500, responseBody: 'down', error: { code: 'http_status', message: 'HTTP 500' } },
        { responseStatus: null, responseBody: null, error: { code: 'headers_timeout', message: 'no headers' } },
        { responseStatus: 500, responseBody: 'still down', error: { code: 'http_status', message: 'HTTP 500' } },
        { responseStatus: 200, responseBody: '', error: null },
      ] as const;
      for (const [i, c] of claimed.entries()) {
        const at = T0 + (i + 1) * MINUTE;
        await store.recordAttempt({
          attempt: anAttempt(c.delivery.id, { id: newId('atm', at), startedAt: at, ...outcomes[i] }),
          leaseToken: c.leaseToken,
          next: i === 3 ? { status: 'succeeded' } : { status: 'failed' },
          now: at,
        });
      }
      assert.deepEqual(await store.troubledEndpoints(app.id, 10), []);
      assert.equal(await store.openFailingEpisode(ep.id, T0 + 5 * MINUTE), true);
      const [troubled] = await store.troubledEndpoints(app.id, 10);
      assert.deepEqual(
        [troubled?.endpoint.id, troubled?.failingSince, troubled?.failingAlertedAt],
        [ep.id, null, T0 + 5 * MINUTE],
      );

      const errors = await store.endpointErrors([ep.id, 'ep_unknown'], { mixSince: T0, lastSince: T0 });
      assert.deepEqual(Object.keys(errors), [ep.id]);
      assert.equal(errors[ep.id]?.lastError?.responseBody, 'still down', 'the latest failure, not the later success');
      assert.deepEqual(errors[ep.id]?.mix, [
        { code: 'http_status', status: 500, count: 2 },
        { code: 'headers_timeout', status: null, count: 1 },
      ]);
      assert.equal(errors[ep.id]?.failingAlertedAt, T0 + 5 * MINUTE);
      const later = await store.endpointErrors([ep.id], { mixSince: T0 + 3 * MINUTE, lastSince: T0 + 4 * MINUTE });
      assert.deepEqual(later[ep.id]?.mix, [{ code: 'http_status', status: 500, count: 1 }], 'the mix is bounded by time');
      assert.equal(later[ep.id]?.lastError, null, 'and so is the last error');
      assert.deepEqual(await store.endpointErrors([], { mixSince: T0, lastSince: T0 }), {});
    }));

  test('endpointListings reads, for a whole list of endpoints at once, the failure run, attempts since a time and the latest', () =>
    withStore(async (store) => {
      const { endpoints } = await seed(store, 2, [T0, T0 + 2]);
      const [healthy, failing] = endpoints as [Endpoint, Endpoint];
      await attemptAll(store, T0 + 1, (ep) => (ep === healthy.id ? 200 : 503));
      await attemptAll(store, T0 + 2, (ep) => (ep === healthy.id ? 204 : 500));
      const quiet = (await seed(store, 1, [])).endpoints[0] as Endpoint;
      const ids = [healthy.id, failing.id, quiet.id, 'ep_unknown'];
      const listings = await store.endpointListings(ids, T0);
      assert.deepEqual(Object.keys(listings).sort(), [healthy.id, failing.id, quiet.id].sort());
      assert.deepEqual(listings[healthy.id], {
        failingSince: null,
        failingAlertedAt: null,
        attempts: 2,
        successes: 2,
        lastAttempt: await store.lastAttemptOf(healthy.id),
      });
      assert.equal(listings[healthy.id]?.lastAttempt?.responseStatus, 204);
      assert.deepEqual(listings[failing.id], {
        failingSince: T0 + 1,
        failingAlertedAt: null,
        attempts: 2,
        successes: 0,
        lastAttempt: await store.lastAttemptOf(failing.id),
      });
      assert.deepEqual(listings[quiet.id], {
        failingSince: null,
        failingAlertedAt: null,
        attempts: 0,
        successes: 0,
        lastAttempt: null,
      });
      const later = await store.endpointListings(ids, T0 + 2);
      assert.equal(later[healthy.id]?.attempts, 1, 'only attempts since the time asked for are counted');
      assert.equal(later[failing.id]?.lastAttempt?.responseStatus, 500, 'the latest attempt is not bounded by the time');
      assert.deepEqual(await store.endpointListings([], T0), {});
    }));

  test('countDeliveriesByMessage counts each message’s deliveries by status; listMessages filters by a delivery status', () =>
    withStore(async (store) => {
      const { app, endpoints, messageIds } = await seed(store, 2, [T0, T0 + 1, T0 + 2]);
      const [first, second, third] = messageIds as [string, string, string];
      // Only the first message's deliveries are due at T0 + 1; the second endpoint fails.
      const due = await store.claimDueDeliveries({
        now: T0,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
      });
      for (const c of due) {
        const ok = c.endpoint.id === endpoints[0]?.id;
        await store.recordAttempt({
          attempt: anAttempt(c.delivery.id, { responseStatus: ok ? 200 : 500 }),
          leaseToken: c.leaseToken,
          next: ok ? { status: 'succeeded' } : { status: 'failed' },
          now: T0,
        });
      }
      const counts = await store.countDeliveriesByMessage(app.id, [first, second, 'msg_unknown']);
      assert.deepEqual(counts, {
        [first]: { pending: 0, succeeded: 1, failed: 1, skipped: 0 },
        [second]: { pending: 2, succeeded: 0, failed: 0, skipped: 0 },
      });
      assert.deepEqual(await store.countDeliveriesByMessage(app.id, []), {});
      const other = await seed(store, 0, []);
      assert.deepEqual(await store.countDeliveriesByMessage(other.app.id, [first]), {}, 'another app sees nothing');
      const failed = await store.listMessages(app.id, { status: 'failed' }, { limit: 10 });
      assert.deepEqual(
        failed.data.map((m) => m.id),
        [first],
      );
      const pending = await store.listMessages(app.id, { status: 'pending' }, { limit: 1 });
      assert.deepEqual(
        pending.data.map((m) => m.id),
        [third],
      );
      assert.ok(pending.nextCursor, 'the filter pages like the rest');
    }));

  test('a session is found until it expires or ends, a sign-out that ends one recorded with it; revoking the app or its token ends its sessions', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const token = { id: newId('tok', T0), appId: app.id, name: '', canMintPortalLinks: true, createdAt: T0 };
      await store.createAppToken(token, 'f'.repeat(64));
      const admin = aSession({ idHash: '1'.repeat(64) });
      const portal = aSession({ idHash: '2'.repeat(64), appId: app.id });
      const minted = aSession({ idHash: '3'.repeat(64), appId: app.id, tokenId: token.id });
      for (const s of [admin, portal, minted]) await store.createUiSession(s);
      assert.deepEqual(await store.findUiSession(admin.idHash, T0), admin);
      assert.equal(await store.findUiSession(admin.idHash, admin.expiresAt), null, 'expired');
      assert.equal(await store.deleteAppToken(app.id, token.id), true);
      assert.equal(await store.findUiSession(minted.idHash, T0), null, 'gone with its token');
      assert.deepEqual(await store.findUiSession(portal.idHash, T0), portal);
      assert.equal(await store.portalEpoch(app.id), 0);
      assert.equal(await store.revokePortalAccess(app.id), true);
      assert.equal(await store.portalEpoch(app.id), 1);
      assert.equal(await store.findUiSession(portal.idHash, T0), null, 'ended with the app’s portal access');
      assert.deepEqual(await store.findUiSession(admin.idHash, T0), admin, 'admin sessions stay');
      assert.equal(await store.revokePortalAccess('app_missing'), false);
      assert.equal(await store.portalEpoch('app_missing'), null);
      assert.equal(await store.endAdminUiSessions(), 1);
      assert.equal(await store.findUiSession(admin.idHash, T0), null);
      await store.createUiSession(admin);
      const signedOut = auditEntry(
        { actor: 'dashboard', address: null, requestId: null },
        { action: 'session.signed_out', appId: null, target: 'dashboard' },
        T0,
      );
      assert.equal(await store.endUiSession(admin.idHash, signedOut), true);
      assert.equal(await store.endUiSession(admin.idHash, signedOut), false);
      const { data } = await store.listAuditLog({ action: 'session.signed_out', limit: 10 });
      assert.equal(data.length, 1, 'recorded with the sign-out that ended a session, not with one that ended nothing');
    }));
}
