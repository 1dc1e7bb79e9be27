/** Store contract, event types: lookups by name, pages in byte order, archiving, and patches. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventType } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { T0, withOpenStore } from './fixtures.js';

const eventType = (name: string, schema: EventType['schema'] = null): EventType => ({
  name,
  description: `about ${name}`,
  schema,
  archivedAt: null,
  createdAt: T0,
  updatedAt: T0,
});

export function eventTypesContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('an event type is found by its name, with its schema as given, and a name is taken once', () =>
    withStore(async (store) => {
      const schema = { type: 'object', required: ['b', 'a'], properties: { b: { type: 'integer' }, a: { type: 'string' } } };
      await store.createEventType(eventType('order.created', schema));
      const found = await store.findEventType('order.created');
      assert.deepEqual(found, eventType('order.created', schema));
      assert.equal(JSON.stringify(found?.schema), JSON.stringify(schema), 'keys keep their order');
      assert.equal(await store.findEventType('order.Created'), null, 'names are case-sensitive');
      assert.equal(await store.findEventType('order'), null);
      await assert.rejects(store.createEventType(eventType('order.created')), (error: Error & { field?: string }) => {
        assert.equal(error.field, 'name');
        return true;
      });
    }));

  test('event types list by name with a cursor, archived ones only when asked', () =>
    withStore(async (store) => {
      for (const name of ['b.two', 'a.one', 'c.three', 'B.upper', 'd.four']) await store.createEventType(eventType(name));
      await store.updateEventType('c.three', { archived: true }, T0 + 1);
      const first = await store.listEventTypes({ limit: 2 });
      assert.deepEqual(
        first.data.map((t) => t.name),
        ['B.upper', 'a.one'],
        'byte order: upper case first',
      );
      const second = await store.listEventTypes({ limit: 2, after: first.nextCursor ?? undefined });
      assert.deepEqual(
        second.data.map((t) => t.name),
        ['b.two', 'd.four'],
      );
      assert.equal(second.nextCursor, null);
      const all = await store.listEventTypes({ limit: 10, includeArchived: true });
      assert.deepEqual(
        all.data.map((t) => [t.name, t.archivedAt]),
        [
          ['B.upper', null],
          ['a.one', null],
          ['b.two', null],
          ['c.three', T0 + 1],
          ['d.four', null],
        ],
      );
      assert.equal(all.nextCursor, null);
    }));

  test('updating an event type changes only what the patch names; archiving keeps its first time', () =>
    withStore(async (store) => {
      const schema = { type: 'object' };
      await store.createEventType(eventType('user.signed_up', schema));
      const described = await store.updateEventType('user.signed_up', { description: 'new' }, T0 + 1);
      assert.deepEqual(described, { ...eventType('user.signed_up', schema), description: 'new', updatedAt: T0 + 1 });

      const archived = await store.updateEventType('user.signed_up', { archived: true }, T0 + 2);
      assert.equal(archived?.archivedAt, T0 + 2);
      const again = await store.updateEventType('user.signed_up', { archived: true }, T0 + 3);
      assert.equal(again?.archivedAt, T0 + 2, 'archiving twice keeps the first time');
      assert.deepEqual(again?.schema, schema);

      const reschemed = await store.updateEventType('user.signed_up', { schema: { type: 'string' } }, T0 + 4);
      assert.deepEqual(reschemed?.schema, { type: 'string' });
      assert.equal(reschemed?.archivedAt, T0 + 2, 'a patch without archived leaves it archived');

      const restored = await store.updateEventType('user.signed_up', { archived: false, schema: null }, T0 + 5);
      assert.deepEqual(restored, { ...eventType('user.signed_up'), description: 'new', updatedAt: T0 + 5 });
      assert.deepEqual(await store.findEventType('user.signed_up'), restored);

      assert.equal(await store.updateEventType('nobody.here', { description: 'x' }, T0 + 6), null);
    }));
}
