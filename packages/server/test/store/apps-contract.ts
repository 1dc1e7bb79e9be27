/** Store contract, apps: lookups by id or uid, pages, their own in-flight cap, and what deleting one takes with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Endpoint, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { aMessage, anApp, seedEndpoints, T0, withOpenStore } from './fixtures.js';

export function appsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('apps are found by id or uid, and a uid is unique', () =>
    withStore(async (store) => {
      const app = await store.createApp({ id: newId('app'), uid: 'acme', name: 'Acme', createdAt: T0, updatedAt: T0 });
      assert.equal((await store.findApp('acme'))?.id, app.id);
      assert.equal((await store.findApp(app.id))?.uid, 'acme');
      await assert.rejects(store.createApp({ ...app, id: newId('app') }), /uid/);
      assert.equal((await store.updateApp(app.id, { name: 'Acme 2' }, T0 + 1))?.name, 'Acme 2');
      assert.equal(await store.deleteApp(app.id), true);
      assert.equal(await store.findApp('acme'), null);
    }));

  test('an app keeps its portal branding, changed only when given, and null goes back to none', () =>
    withStore(async (store) => {
      const portalBranding = { name: 'Acme Pay', logoUrl: 'https://cdn.acme.example/l.svg', accentColor: '#0a7c59' };
      const app = await store.createApp({ ...anApp(), portalBranding });
      assert.deepEqual((await store.findApp(app.id))?.portalBranding, portalBranding);
      assert.deepEqual((await store.updateApp(app.id, { name: 'Acme 2' }, T0 + 1))?.portalBranding, portalBranding);
      const plain = { name: 'Plain', logoUrl: null, accentColor: null };
      assert.deepEqual((await store.updateApp(app.id, { portalBranding: plain }, T0 + 2))?.portalBranding, plain);
      assert.equal((await store.updateApp(app.id, { portalBranding: null }, T0 + 3))?.portalBranding, undefined);
    }));

  test('lists page newest first with a cursor', () =>
    withStore(async (store) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          (await store.createApp({ id: newId('app', T0 + i), uid: null, name: `a${i}`, createdAt: T0, updatedAt: T0 })).id,
        );
      const first = await store.listApps({ limit: 2 });
      assert.deepEqual(
        first.data.map((a) => a.id),
        [ids[4], ids[3]],
      );
      const second = await store.listApps({ limit: 2, after: first.nextCursor ?? undefined });
      assert.deepEqual(
        second.data.map((a) => a.id),
        [ids[2], ids[1]],
      );
      const last = await store.listApps({ limit: 2, after: second.nextCursor ?? undefined });
      assert.deepEqual(
        last.data.map((a) => a.id),
        [ids[0]],
      );
      assert.equal(last.nextCursor, null);
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

  test('deleting an app removes its endpoints, messages and deliveries', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      const { message: msg } = await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      await store.deleteApp(app.id);
      assert.equal(await store.findMessage(app.id, msg.id), null);
      assert.equal(await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id), null);
      assert.equal(await store.nextDueAfter(0), null);
    }));
}
