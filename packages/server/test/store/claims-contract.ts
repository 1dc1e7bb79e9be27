/** Store contract, claims: leases, the per-endpoint cap, and no endpoint's backlog hiding another's work. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClaimedDelivery, Endpoint } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { aMessage, anApp, anEndpoint, claimInput, seedEndpoints, T0, withOpenStore } from './fixtures.js';

export function claimsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('a claimed delivery is leased: nobody else gets it until the lease runs out', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.ok(claimed);
      assert.equal(claimed.message.type, 'order.created');
      assert.equal((await store.claimDueDeliveries(claimInput(T0 + 29_999))).length, 0);
      assert.equal(await store.nextDueAfter(T0), T0 + 30_000);
      const [again] = await store.claimDueDeliveries(claimInput(T0 + 30_000));
      assert.equal(again?.delivery.id, claimed.delivery.id);
      assert.notEqual(again?.leaseToken, claimed.leaseToken);
    }));

  test('claims respect the per-endpoint cap, counting deliveries already in flight', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store, [null, null]);
      for (let i = 0; i < 5; i++) await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const busy = new Map([[(endpoints[0] as Endpoint).id, 1]]);
      const claimed = await store.claimDueDeliveries({ now: T0, limit: 10, leaseMs: 1000, endpointCap: 2, inFlight: busy });
      const per = (id: string) => claimed.filter((c) => c.endpoint.id === id).length;
      assert.equal(per((endpoints[0] as Endpoint).id), 1);
      assert.equal(per((endpoints[1] as Endpoint).id), 2);
    }));

  test('one endpoint’s backlog never hides another’s due delivery, and a short claim took all it could', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const busy = await store.createEndpoint(anEndpoint(app.id, { events: ['bulk.*'] }));
      const quiet = await store.createEndpoint(anEndpoint(app.id, { events: ['rare.*'] }));
      // 300 older deliveries to one endpoint, far more than any claim reads at once, then one to the other.
      for (let i = 0; i < 300; i++) {
        await store.publishMessage({ message: aMessage(app.id, 'bulk.item', T0 + i), idempotencyWindowMs: 0 });
      }
      await store.publishMessage({ message: aMessage(app.id, 'rare.item', T0 + 300), idempotencyWindowMs: 0 });
      const input = (inFlight: Map<string, number>) => ({
        now: T0 + 1000,
        limit: 5,
        leaseMs: 60_000,
        endpointCap: 3,
        inFlight,
      });

      const atCap = await store.claimDueDeliveries(input(new Map([[busy.id, 3]])));
      assert.deepEqual(
        atCap.map((c) => c.endpoint.id),
        [quiet.id],
        'the busy endpoint at its cap: the other’s delivery still comes',
      );
      const refill = await store.claimDueDeliveries(input(new Map([[busy.id, 1]])));
      assert.equal(refill.length, 2, 'short of the limit: only the busy endpoint had work, up to its cap');
      assert.ok(refill.every((c) => c.endpoint.id === busy.id));
      const ids = new Set(refill.map((c) => c.delivery.id));
      const again = await store.claimDueDeliveries(input(new Map()));
      assert.equal(again.length, 3);
      assert.ok(
        again.every((c) => !ids.has(c.delivery.id)),
        'leased deliveries are not claimed twice',
      );
    }));

  test('claimed deliveries given back are due again at once, for any worker; a lease given back twice, or taken over, is left alone', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      for (let i = 0; i < 3; i++) await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const claimed = await store.claimDueDeliveries(claimInput(T0));
      assert.equal(claimed.length, 3);
      const [kept, back, taken] = claimed as [ClaimedDelivery, ClaimedDelivery, ClaimedDelivery];
      const lease = (c: ClaimedDelivery) => ({ deliveryId: c.delivery.id, leaseToken: c.leaseToken });
      await store.releaseClaims([lease(back), { ...lease(taken), leaseToken: 'not-the-lease' }], T0 + 5);
      assert.equal(await store.nextDueAfter(T0), T0 + 5);
      const again = await store.claimDueDeliveries(claimInput(T0 + 5));
      assert.deepEqual(
        again.map((c) => c.delivery.id),
        [back.delivery.id],
      );
      await store.releaseClaims([lease(back)], T0 + 6);
      assert.deepEqual(await store.claimDueDeliveries(claimInput(T0 + 6)), [], 'its new lease holds it');
      assert.equal((await store.findDelivery(app.id, kept.delivery.id))?.status, 'pending');
      await store.releaseClaims([], T0 + 7);
    }));
}
