/**
 * Store contract, endpoint delivery limits: FIFO, most in flight and the rate, as claims see them. Two claims with
 * empty in-flight maps stand for two worker processes. Both stores run it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClaimedDelivery, type Endpoint, type EndpointLimits, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';

export function limitsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  /** One limited endpoint and one without limits, and `messages` published to both, in order. */
  async function seed(store: Store, limits: Partial<EndpointLimits>, messages: number) {
    const app = await store.createApp(anApp());
    const limited = await store.createEndpoint(anEndpoint(app.id, { ...limits, url: 'http://127.0.0.1:9/limited' }));
    const free = await store.createEndpoint(anEndpoint(app.id, { id: newId('ep'), url: 'http://127.0.0.1:9/free' }));
    const order: string[] = [];
    for (let i = 0; i < messages; i++) {
      const { message } = await store.publishMessage({
        message: {
          id: newId('msg', T0),
          appId: app.id,
          type: 'order.created',
          payload: `{"n":${i}}`,
          idempotencyKey: null,
          createdAt: T0,
        },
        idempotencyWindowMs: 0,
      });
      order.push(message.id);
    }
    return { app, limited, free, order };
  }

  /** A claim by a worker with nothing in flight, as a second process would make it. */
  const claimFresh = (store: Store, now: number, limit = 100) =>
    store.claimDueDeliveries({ now, limit, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });
  const of = (claimed: ClaimedDelivery[], endpoint: Endpoint) => claimed.filter((c) => c.endpoint.id === endpoint.id);

  async function finish(store: Store, item: ClaimedDelivery, now: number, outcome: 'succeeded' | 'retry' | 'failed') {
    await store.recordAttempt({
      attempt: anAttempt(item.delivery.id, { startedAt: now, responseStatus: outcome === 'succeeded' ? 200 : 500 }),
      leaseToken: item.leaseToken,
      next: outcome === 'retry' ? { status: 'pending', nextAttemptAt: now + 1_000 } : { status: outcome },
      now,
    });
  }

  test('limits: endpoints keep their limits through create, update and removal', () =>
    withStore(async (store) => {
      const { app, limited } = await seed(store, { rateLimit: 5, maxInFlight: 3, fifo: true }, 0);
      const found = await store.findEndpoint(app.id, limited.id);
      assert.deepEqual([found?.rateLimit, found?.maxInFlight, found?.fifo], [5, 3, true]);
      const changed = await store.updateEndpoint(app.id, limited.id, { rateLimit: null, fifo: false }, T0 + 1);
      assert.deepEqual([changed?.rateLimit, changed?.maxInFlight, changed?.fifo], [null, 3, false]);
    }));

  test('limits: work of a limited endpoint that falls due after claims that found none is taken by the next claim', () =>
    withStore(async (store) => {
      assert.deepEqual(await claimFresh(store, T0 - 1), [], 'nothing due yet, limited or not');
      const { limited, free } = await seed(store, { rateLimit: 5 }, 1);
      const claimed = await claimFresh(store, T0);
      assert.equal(of(claimed, limited).length, 1);
      assert.equal(of(claimed, free).length, 1);
    }));

  test('limits: a FIFO endpoint gets one delivery at a time, in publish order, and a failing head holds back the rest', () =>
    withStore(async (store) => {
      const { limited, free, order } = await seed(store, { fifo: true }, 3);
      const first = await claimFresh(store, T0);
      assert.deepEqual(
        of(first, limited).map((c) => c.message.id),
        [order[0]],
      );
      assert.equal(of(first, free).length, 3, 'endpoints without limits are not held back');
      assert.equal(of(first, limited)[0]?.endpoint.limited, true);
      assert.equal(of(first, free)[0]?.endpoint.limited, false);
      assert.equal((await claimFresh(store, T0 + 1)).length, 0, 'another worker gets nothing while the head is in flight');

      await finish(store, of(first, limited)[0] as ClaimedDelivery, T0 + 2, 'retry');
      assert.equal((await claimFresh(store, T0 + 3)).length, 0, 'the head waits for its retry, and the rest behind it');
      const again = await claimFresh(store, T0 + 1_002);
      assert.deepEqual(
        again.map((c) => c.message.id),
        [order[0]],
      );
      await finish(store, again[0] as ClaimedDelivery, T0 + 1_003, 'failed');
      const second = await claimFresh(store, T0 + 1_004);
      assert.deepEqual(
        second.map((c) => c.message.id),
        [order[1]],
        'once the head exhausts, the next goes',
      );
      await finish(store, second[0] as ClaimedDelivery, T0 + 1_005, 'succeeded');
      assert.deepEqual(
        (await claimFresh(store, T0 + 1_006)).map((c) => c.message.id),
        [order[2]],
      );
    }));

  test('limits: most in flight holds across workers, and a finished delivery frees its place', () =>
    withStore(async (store) => {
      const { limited } = await seed(store, { maxInFlight: 2 }, 5);
      const a = of(await claimFresh(store, T0), limited);
      assert.equal(a.length, 2);
      assert.equal(of(await claimFresh(store, T0 + 1), limited).length, 0, 'a second worker sees both places taken');
      await finish(store, a[0] as ClaimedDelivery, T0 + 2, 'succeeded');
      assert.equal(of(await claimFresh(store, T0 + 3), limited).length, 1);
      // Leases that ran out are no longer in flight.
      assert.equal(of(await claimFresh(store, T0 + 30_004), limited).length, 2);
    }));

  test('limits: a worker’s own cap still applies beneath the endpoint’s', () =>
    withStore(async (store) => {
      const { limited } = await seed(store, { maxInFlight: 10 }, 5);
      const claimed = await store.claimDueDeliveries({
        now: T0,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 3,
        inFlight: new Map([[limited.id, 2]]),
      });
      assert.equal(of(claimed, limited).length, 1);
    }));

  test('limits: a worker claiming ahead holds an endpoint with limits to its cap of requests, others to the claim cap', () =>
    withStore(async (store) => {
      const { limited, free } = await seed(store, { maxInFlight: 10 }, 8);
      const claimed = await store.claimDueDeliveries({
        now: T0,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 6,
        limitedEndpointCap: 3,
        inFlight: new Map(),
      });
      assert.equal(of(claimed, limited).length, 3);
      assert.equal(of(claimed, free).length, 6);
    }));

  test('limits: the rate lets a batch start every tenth of a second and says when the next may', () =>
    withStore(async (store) => {
      const { limited } = await seed(store, { rateLimit: 20 }, 10);
      assert.equal(of(await claimFresh(store, T0), limited).length, 2, '20/s in batches of 100 ms');
      assert.equal(of(await claimFresh(store, T0 + 50), limited).length, 0);
      assert.equal(await store.nextDueAfter(T0 + 50), T0 + 100, 'the worker wakes when the rate allows the next batch');
      assert.equal(of(await claimFresh(store, T0 + 100), limited).length, 2);
      // A claim that comes late does not slow the rate down.
      assert.equal(of(await claimFresh(store, T0 + 230), limited).length, 2);
      assert.equal(await store.nextDueAfter(T0 + 230), T0 + 300);
      // Idle time saves up half a batch at most.
      assert.equal(of(await claimFresh(store, T0 + 10_000), limited).length, 2);
      assert.equal(of(await claimFresh(store, T0 + 10_001), limited).length, 0);
      assert.equal(await store.nextDueAfter(T0 + 10_001), T0 + 10_050);
    }));
}
