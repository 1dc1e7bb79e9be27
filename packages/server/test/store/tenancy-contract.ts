/**
 * Store contract, tenancy: each app's in-flight cap as claims see it (the default or the app's own, across every step
 * of a claim). The endpoint limit per app and the cap's own writes are in endpoints-contract.ts and apps-contract.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type App, type ClaimedDelivery, type Endpoint, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anEndpoint, T0, withOpenStore } from './fixtures.js';

export function tenancyContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  /** An app with `endpoints` endpoints and `messages` published to it (one delivery per endpoint each). */
  async function seed(store: Store, endpoints: number, messages: number, fields: Partial<Endpoint> = {}) {
    const app = await store.createApp({ ...anApp(), id: newId('app', T0) });
    const created: Endpoint[] = [];
    for (let i = 0; i < endpoints; i++) {
      created.push(
        await store.createEndpoint(anEndpoint(app.id, { id: newId('ep'), url: `http://127.0.0.1:9/${i}`, ...fields })),
      );
    }
    for (let i = 0; i < messages; i++) {
      await store.publishMessage({
        message: { id: newId('msg', T0), appId: app.id, type: 'a.b', payload: '{}', idempotencyKey: null, createdAt: T0 },
        idempotencyWindowMs: 0,
      });
    }
    return { app, endpoints: created };
  }

  const count = (claimed: ClaimedDelivery[], app: App) => claimed.filter((c) => c.delivery.appId === app.id).length;

  test('tenancy: a claim keeps each app within its cap, the default or its own, counting what is in flight', () =>
    withStore(async (store) => {
      const busy = await seed(store, 3, 10);
      const quiet = await seed(store, 1, 2);
      const own = await seed(store, 2, 5);
      await store.updateApp(own.app.id, { maxInFlight: 3 }, T0);
      const claimed = await store.claimDueDeliveries({
        now: T0 + 10,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
        appCap: 5,
        appInFlight: new Map([[own.app.id, 1]]),
      });
      assert.deepEqual([count(claimed, busy.app), count(claimed, quiet.app), count(claimed, own.app)], [5, 2, 2]);
      assert.deepEqual(new Set(claimed.map((c) => `${c.delivery.appId}:${c.appCap}`)).size, 3);
      assert.ok(claimed.every((c) => c.appCap === (c.delivery.appId === own.app.id ? 3 : 5)));
    }));

  test('tenancy: an app at its cap does not hide other apps’ due work behind its backlog', () =>
    withStore(async (store) => {
      // The busy app's 60 deliveries come first and fill every row a claim of 4 reads at first.
      const busy = await seed(store, 3, 20);
      const quiet = await seed(store, 2, 1);
      const claimed = await store.claimDueDeliveries({
        now: T0 + 10,
        limit: 4,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
        appCap: 2,
      });
      assert.deepEqual([count(claimed, busy.app), count(claimed, quiet.app)], [2, 2]);
    }));

  test('tenancy: an endpoint with limits of its own stays within its app’s cap too', () =>
    withStore(async (store) => {
      const limited = await seed(store, 1, 10, { maxInFlight: 8 });
      const claimed = await store.claimDueDeliveries({
        now: T0 + 10,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
        appCap: 3,
      });
      assert.equal(count(claimed, limited.app), 3);
    }));
}
