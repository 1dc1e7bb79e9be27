/**
 * Store contract, tenancy: the endpoint limit per app, held against concurrent creates, and each app's in-flight cap
 * as claims see it (the default or the app's own, across every step of a claim). Both stores run it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type App, type ClaimedDelivery, type Endpoint, newId } from '../../src/domain/index.js';
import { type Store, StoreLimitError } from '../../src/store/index.js';
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

  test('tenancy: an app gets no endpoint past the limit, even from creates racing each other', () =>
    withStore(async (store) => {
      const full = await store.createApp(anApp());
      const other = await store.createApp({ ...anApp(), id: newId('app', T0) });
      const create = (appId: string) => store.createEndpoint(anEndpoint(appId, { id: newId('ep') }), 3);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => create(full.id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        assert.ok((r as PromiseRejectedResult).reason instanceof StoreLimitError);
      }
      assert.equal((await store.listEndpoints(full.id, { limit: 10 })).data.length, 3);
      // Each app counts its own; without a limit, any number.
      await create(other.id);
      await store.createEndpoint(anEndpoint(full.id, { id: newId('ep') }));
      assert.equal((await store.listEndpoints(full.id, { limit: 10 })).data.length, 4);
    }));

  test('tenancy: an app keeps its own in-flight cap through create and update; null is the default again', () =>
    withStore(async (store) => {
      const app = await store.createApp({ ...anApp(), maxInFlight: 4 });
      assert.equal((await store.findApp(app.id))?.maxInFlight, 4);
      assert.equal((await store.updateApp(app.id, { name: 'Renamed' }, T0 + 1))?.maxInFlight, 4);
      assert.equal((await store.updateApp(app.id, { maxInFlight: 7 }, T0 + 2))?.maxInFlight, 7);
      assert.equal((await store.updateApp(app.id, { maxInFlight: null }, T0 + 3))?.maxInFlight, null);
      assert.equal((await store.createApp({ ...anApp(), id: newId('app', T0) })).maxInFlight, null);
    }));

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
