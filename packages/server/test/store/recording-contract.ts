/**
 * Store contract, recording attempts: the delivery moves on only under its lease, what recordAttempt says it did, and
 * the failure runs that disable an endpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Endpoint, type NextStep, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import {
  aMessage,
  anAttempt,
  anAttemptAt,
  attemptDue,
  claimInput,
  HOUR,
  publishAt,
  seedApp,
  seedEndpoints,
  T0,
  withOpenStore,
} from './fixtures.js';

export function recordingContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('recording an attempt moves the delivery on, unless the lease was lost', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [stale] = await store.claimDueDeliveries(claimInput(T0));
      const [fresh] = await store.claimDueDeliveries(claimInput(T0 + 30_000));
      assert.ok(stale && fresh);
      const attempt = (number: number, status: number) => ({
        id: newId('atm'),
        deliveryId: fresh.delivery.id,
        number,
        startedAt: T0 + 30_000,
        durationMs: 5,
        requestHeaders: { 'webhook-id': fresh.message.id },
        responseStatus: status,
        responseBody: 'body',
        error: null,
      });
      await store.recordAttempt({
        attempt: attempt(1, 500),
        leaseToken: stale.leaseToken,
        next: { status: 'failed' },
        now: T0 + 30_001,
      });
      assert.equal((await store.findDelivery(app.id, fresh.delivery.id))?.status, 'pending');
      await store.recordAttempt({
        attempt: attempt(2, 500),
        leaseToken: fresh.leaseToken,
        next: { status: 'pending', nextAttemptAt: T0 + 40_000 },
        now: T0 + 30_002,
      });
      const retrying = await store.findDelivery(app.id, fresh.delivery.id);
      assert.equal(retrying?.status, 'pending');
      assert.equal(retrying?.nextAttemptAt, T0 + 40_000);
      assert.equal(retrying?.attemptCount, 1);
      assert.equal(retrying?.attemptsInRun, 1);
      assert.equal(retrying?.lastError, 'HTTP 500');
      assert.equal((await store.listAttempts(fresh.delivery.id)).length, 2, 'both attempts happened and are kept');
      const [third] = await store.claimDueDeliveries(claimInput(T0 + 40_000));
      assert.ok(third);
      await store.recordAttempt({
        attempt: attempt(3, 200),
        leaseToken: third.leaseToken,
        next: { status: 'succeeded' },
        now: T0 + 40_001,
      });
      const done = await store.findDelivery(app.id, fresh.delivery.id);
      assert.equal(done?.status, 'succeeded');
      assert.equal(done?.lastError, null);
      assert.equal(await store.nextDueAfter(0), null);
    }));

  test('an attempt whose response body is binary is recorded', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.ok(claimed);
      // What a gzip or image body decoded as UTF-8 looks like: NULs and replacement characters.
      const body = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff, 0x41]).toString('utf8');
      await store.recordAttempt({
        attempt: anAttempt(claimed.delivery.id, {
          requestHeaders: { 'content-type': 'application/json', 'webhook-id': claimed.message.id },
          responseStatus: 500,
          responseBody: body,
        }),
        leaseToken: claimed.leaseToken,
        next: { status: 'pending', nextAttemptAt: T0 + 5000 },
        now: T0 + 1,
      });
      const [recorded] = await store.listAttempts(claimed.delivery.id);
      // A store may keep NUL as it is or write U+FFFD in its place; everything else stays.
      assert.equal(recorded?.responseBody?.replaceAll('\u0000', '\uFFFD'), body.replaceAll('\u0000', '\uFFFD'));
      assert.deepEqual(Object.keys(recorded?.requestHeaders ?? {}), ['content-type', 'webhook-id'], 'headers keep their order');
      assert.equal((await store.findDelivery(app.id, claimed.delivery.id))?.nextAttemptAt, T0 + 5000);
    }));

  test('attempts recorded together keep text no database column can hold as U+FFFD: a lone surrogate, a NUL', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      for (let i = 0; i < 2; i++) await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const claimed = await store.claimDueDeliveries(claimInput(T0, 2));
      assert.equal(claimed.length, 2);
      // A transformation may make any JavaScript string, a lone surrogate included; an error message may hold a NUL.
      const requestBody = '{"half":"\ud83d","low":"\udc00 x"}';
      await Promise.all(
        claimed.map((c) =>
          store.recordAttempt({
            attempt: anAttempt(c.delivery.id, {
              requestBody,
              responseStatus: null,
              error: { code: 'connection_refused', message: 'refused\u0000 by 127.0.0.1' },
            }),
            leaseToken: c.leaseToken,
            next: { status: 'pending', nextAttemptAt: T0 + 5000 },
            now: T0 + 1,
          }),
        ),
      );
      for (const c of claimed) {
        const [recorded] = await store.listAttempts(c.delivery.id);
        // A store may write one U+FFFD for a lone surrogate, or one for each of the bytes a lenient encoder made of it.
        assert.equal(recorded?.requestBody?.replace(/\uFFFD+/g, '\uFFFD'), '{"half":"\uFFFD","low":"\uFFFD x"}');
        assert.equal(recorded?.error?.message.replaceAll('\u0000', '\uFFFD'), 'refused\uFFFD by 127.0.0.1');
        assert.equal((await store.findDelivery(app.id, c.delivery.id))?.nextAttemptAt, T0 + 5000);
      }
    }));

  test('a 410 disables the endpoint and fails its other pending deliveries', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      for (let i = 0; i < 3; i++) await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [one] = await store.claimDueDeliveries(claimInput(T0, 1));
      assert.ok(one);
      await store.recordAttempt({
        attempt: anAttempt(one.delivery.id, { responseStatus: 410 }),
        leaseToken: one.leaseToken,
        next: { status: 'failed', disableEndpoint: 'gone' },
        now: T0 + 1,
      });
      const endpoint = await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id);
      assert.equal(endpoint?.disabledReason, 'gone');
      assert.deepEqual(await store.countDeliveriesByStatus((endpoints[0] as Endpoint).id), {
        pending: 0,
        succeeded: 0,
        failed: 3,
        skipped: 0,
      });
      assert.equal((await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 })).deliveries, 0);
    }));

  test('an attempt that ends after its endpoint was deleted is dropped quietly', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.ok(claimed);
      await store.deleteEndpoint(app.id, (endpoints[0] as Endpoint).id);
      await store.recordAttempt({
        attempt: anAttempt(claimed.delivery.id),
        leaseToken: claimed.leaseToken,
        next: { status: 'succeeded' },
        now: T0 + 1,
      });
      assert.deepEqual(await store.listAttempts(claimed.delivery.id), []);
    }));

  test('recordAttempt says whether the delivery moved on, and a stale lease moves nothing', () =>
    withStore(async (store) => {
      const { app } = await seedApp(store);
      await publishAt(store, app.id, T0);
      const [claimed] = await store.claimDueDeliveries({ now: T0, limit: 1, leaseMs: 1, endpointCap: 10, inFlight: new Map() });
      assert.ok(claimed);
      const [reclaimed] = await store.claimDueDeliveries({
        now: T0 + 5,
        limit: 1,
        leaseMs: 1_000,
        endpointCap: 10,
        inFlight: new Map(),
      });
      assert.ok(reclaimed, 'the first lease ran out and another worker took the delivery');
      const stale = await store.recordAttempt({
        attempt: anAttempt(claimed.delivery.id, { responseStatus: 500 }),
        leaseToken: claimed.leaseToken,
        next: { status: 'failed' },
        now: T0 + 6,
      });
      assert.deepEqual(stale, { finished: false, disabled: null });
      const current = await store.recordAttempt({
        attempt: anAttempt(reclaimed.delivery.id, { number: 2, responseStatus: 500 }),
        leaseToken: reclaimed.leaseToken,
        next: { status: 'failed' },
        now: T0 + 7,
      });
      assert.deepEqual(current, { finished: true, disabled: null });
      const gone = await store.recordAttempt({
        attempt: anAttempt('dlv_deleted'),
        leaseToken: 'nobody',
        next: { status: 'succeeded' },
        now: T0 + 8,
      });
      assert.deepEqual(gone, { finished: false, disabled: null }, 'a delivery that no longer exists');
    }));

  test('of two attempts answered 410 at once, only the one that disabled the endpoint gets the reason', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedApp(store);
      await publishAt(store, app.id, T0);
      await publishAt(store, app.id, T0);
      const results = await attemptDue(store, T0, 410, { status: 'failed', disableEndpoint: 'the endpoint answered 410 Gone' });
      assert.deepEqual(results, [
        { finished: true, disabled: 'the endpoint answered 410 Gone' },
        { finished: true, disabled: null },
      ]);
      const endpoint = await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id);
      assert.equal(endpoint?.disabledReason, 'the endpoint answered 410 Gone');
    }));

  test('the attempt that disables a failing endpoint gets the reason; the others do not', () =>
    withStore(async (store) => {
      const { app } = await seedApp(store);
      for (let i = 0; i < 3; i++) await publishAt(store, app.id, T0);
      const retry = (at: number): NextStep => ({ status: 'pending', nextAttemptAt: at });
      assert.deepEqual(await attemptDue(store, T0, 500, retry(T0), 100, 1_000), [
        { finished: true, disabled: null },
        { finished: true, disabled: null },
        { finished: true, disabled: null },
      ]);
      const results = await attemptDue(store, T0 + 1_000, 500, retry(T0 + 1_000), 1, 1_000);
      assert.deepEqual(results, [{ finished: true, disabled: `failed without a success since ${new Date(T0).toISOString()}` }]);
      assert.deepEqual(await attemptDue(store, T0 + 2_000, 500, retry(T0 + 2_000), 100, 1_000), [], 'nothing left to claim');
    }));

  test('an endpoint failing without a success for disableAfter is disabled, and a success restarts the clock', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedApp(store, 1, 3);
      const ep = endpoints[0] as Endpoint;
      /** One attempt at `at`: a failure leaves its delivery due again at once. */
      const attemptAt = async (at: number, status: number) => {
        const [claimed] = await store.claimDueDeliveries({
          now: at,
          limit: 1,
          leaseMs: 30_000,
          endpointCap: 10,
          inFlight: new Map(),
        });
        assert.ok(claimed, `a delivery is due at +${at - T0} ms`);
        await store.recordAttempt({
          attempt: anAttemptAt(claimed.delivery.id, at, status),
          leaseToken: claimed.leaseToken,
          next: status === 200 ? { status: 'succeeded' } : { status: 'pending', nextAttemptAt: at },
          now: at + 1,
          disableAfterMs: 1_000,
        });
      };
      const state = async () => {
        const endpoint = await store.findEndpoint(app.id, ep.id);
        return { failingSince: (await store.endpointHealth(ep.id, T0)).failingSince, disabledAt: endpoint?.disabledAt };
      };

      await attemptAt(T0, 500);
      assert.deepEqual(await state(), { failingSince: T0, disabledAt: null }, 'the first failure starts the run');
      await attemptAt(T0 + 500, 503);
      assert.deepEqual(await state(), { failingSince: T0, disabledAt: null }, 'a later failure keeps its start');
      await attemptAt(T0 + 900, 200);
      assert.deepEqual(await state(), { failingSince: null, disabledAt: null }, 'a success ends the run');
      await attemptAt(T0 + 1_200, 500);
      await attemptAt(T0 + 2_100, 500);
      assert.deepEqual(await state(), { failingSince: T0 + 1_200, disabledAt: null }, 'not yet: 900 ms of failures');
      await attemptAt(T0 + 2_199, 500);
      const disabled = await store.findEndpoint(app.id, ep.id);
      assert.equal(disabled?.disabledAt, T0 + 2_200);
      assert.equal(disabled?.disabledReason, `failed without a success since ${new Date(T0 + 1_200).toISOString()}`);
      assert.deepEqual(await store.countDeliveriesByStatus(ep.id), { pending: 0, succeeded: 1, failed: 2, skipped: 0 });

      const enabled = await store.updateEndpoint(app.id, ep.id, { disabled: false }, T0 + 3_000);
      assert.equal(enabled?.disabledAt, null);
      assert.equal((await store.endpointHealth(ep.id, T0 + 3_000)).failingSince, null, 'enabling forgets the run');
    }));

  test('failures without disableAfter are tracked but never disable', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedApp(store, 1, 1);
      const ep = endpoints[0] as Endpoint;
      const [delivery] = (await store.listDeliveries(app.id, {}, { limit: 1 })).data;
      assert.ok(delivery);
      // Recorded under a lease that is not this delivery's: the attempt still counts for the endpoint's health.
      await store.recordAttempt({
        attempt: anAttemptAt(delivery.id, T0, null),
        leaseToken: 'lost',
        next: { status: 'pending', nextAttemptAt: T0 },
        now: T0 + 100 * HOUR,
      });
      assert.equal((await store.endpointHealth(ep.id, T0)).failingSince, T0);
      assert.equal((await store.findEndpoint(app.id, ep.id))?.disabledAt, null);
    }));
}
