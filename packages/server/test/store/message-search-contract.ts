/** Store contract, message search: each criterion, combined, content with and without an index, pages both ways. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Endpoint, newId, parseContentCriteria } from '../../src/domain/index.js';
import type { MessageFilter, Store } from '../../src/store/index.js';
import { seedEndpoints, T0, withOpenStore } from './fixtures.js';

export function messageSearchContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  /** Six messages, one per ms, two endpoints (the second only for order.*), data.n = 0…5, every other one paid. */
  async function seed(store: Store) {
    const { app, endpoints } = await seedEndpoints(store, [null, ['order.*']]);
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      const type = n % 3 === 0 ? 'user.created' : 'order.created';
      const data = { n, paid: n % 2 === 0, order: { id: `o-${n}` }, note: n === 5 ? null : 'x' };
      const message = {
        id: newId('msg', T0 + n),
        appId: app.id,
        type,
        payload: JSON.stringify({ type, timestamp: '', data }),
        idempotencyKey: `key-${n}`,
        createdAt: T0 + n,
      };
      ids.push((await store.publishMessage({ message, idempotencyWindowMs: 1000 })).message.id);
    }
    // A raw inbound body that is not JSON: content search passes over it, never fails on it.
    const raw = {
      id: newId('msg', T0 + 6),
      appId: app.id,
      type: 'in.raw',
      payload: 'a=1&b={',
      idempotencyKey: null,
      createdAt: T0 + 6,
    };
    await store.publishMessage({ message: { ...raw, headers: { 'content-type': 'text/plain' } }, idempotencyWindowMs: 0 });
    const find = async (filter: MessageFilter, where: string[] = []) =>
      (await store.listMessages(app.id, { ...filter, content: parseContentCriteria(where) }, { limit: 10 })).data.map((m) =>
        ids.indexOf(m.id),
      );
    return { app, endpoints: endpoints as [Endpoint, Endpoint], ids, find };
  }

  test('messages are found by id, Idempotency-Key, type, endpoint, status, time and content, criteria combined', () =>
    withStore(async (store) => {
      const { endpoints, ids, find } = await seed(store);
      assert.deepEqual(await find({ id: ids[2] }), [2]);
      assert.deepEqual(await find({ idempotencyKey: 'key-4' }), [4]);
      assert.deepEqual(await find({ type: 'user.created' }), [3, 0]);
      assert.deepEqual(await find({ endpointId: endpoints[1].id }), [5, 4, 2, 1]);
      assert.deepEqual(await find({ status: 'pending', endpointId: endpoints[1].id, since: T0 + 2, until: T0 + 5 }), [4, 2]);
      assert.deepEqual(await find({}, ['data.n:3']), [3]);
      assert.deepEqual(await find({}, ['data.n:"3"']), [], 'the string "3" is not the number 3');
      assert.deepEqual(await find({}, ['data.order.id:o-1']), [1]);
      assert.deepEqual(await find({}, ['data.paid:true']), [4, 2, 0]);
      assert.deepEqual(await find({}, ['data.paid:false', 'data.note:null']), [5]);
      assert.deepEqual(await find({ type: 'order.created' }, ['data.paid:true']), [4, 2]);
      assert.deepEqual(await find({}, ['data.missing:1']), []);
    }));

  test('content search without a declared field searches the newest messages and says so; declared, it is indexed', () =>
    withStore(async (store) => {
      const { app, find } = await seed(store);
      const plan = async () =>
        (await store.listMessages(app.id, { content: parseContentCriteria(['data.n:1']) }, { limit: 10 })).search;
      const declared = await plan();
      if (declared?.indexed) return; // PostgreSQL: one index covers every path, nothing to declare.
      assert.equal(declared?.scanLimit, 50_000);
      await store.declareSearchFields([['data', 'n']]);
      assert.deepEqual(await plan(), { indexed: true, scanLimit: null });
      assert.deepEqual(await find({}, ['data.n:1']), [1], 'the index finds what the scan found');
      await store.declareSearchFields([]);
      assert.equal((await plan())?.indexed, false, 'a field no longer declared loses its index');
    }));

  test('messages page forward with after and back with before, newest first both ways', () =>
    withStore(async (store) => {
      const { app, ids } = await seed(store);
      const page = (query: { after?: string; before?: string }) => store.listMessages(app.id, {}, { limit: 3, ...query });
      const first = await page({});
      assert.deepEqual(
        first.data.map((m) => m.type),
        ['in.raw', 'order.created', 'order.created'],
      );
      assert.equal(first.prevCursor, null);
      const second = await page({ after: first.nextCursor as string });
      assert.deepEqual(
        second.data.map((m) => m.id),
        [ids[3], ids[2], ids[1]],
      );
      const third = await page({ after: second.nextCursor as string });
      assert.deepEqual(
        third.data.map((m) => m.id),
        [ids[0]],
      );
      assert.equal(third.nextCursor, null);
      const back = await page({ before: third.prevCursor as string });
      assert.deepEqual(
        back.data.map((m) => m.id),
        second.data.map((m) => m.id),
      );
      const newest = await page({ before: back.prevCursor as string });
      assert.deepEqual(
        newest.data.map((m) => m.id),
        first.data.map((m) => m.id),
      );
      assert.equal(newest.prevCursor, null);
      assert.equal(newest.nextCursor, first.nextCursor);
    }));
}
