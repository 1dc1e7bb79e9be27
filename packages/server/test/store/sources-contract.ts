/** Sources (inbound webhooks) in the store: settings, refusal counts, provider headers kept and claimed, the stream read. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Endpoint, type Message, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { StoreConflictError } from '../../src/store/index.js';
import { anApp, anEndpoint, aSource, T0, withOpenStore } from './fixtures.js';

function ingested(appId: string, at: number, fields: Partial<Message> = {}): Message {
  return {
    id: newId('msg', at),
    appId,
    type: 'push',
    payload: '{"ref":  "main"}',
    idempotencyKey: null,
    createdAt: at,
    headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
    ...fields,
  };
}

export function sourcesContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('sources', () => {
    test('a source is found by id or name, names are unique, and it goes with its app', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const source = await store.createSource(
          aSource(app.id, {
            allowIps: ['10.0.0.0/8', '::1'],
            rateLimit: { perSecond: 2.5, burst: 5 },
            schema: { type: 'object', required: ['ref'] },
            forwardHeaders: ['x-custom'],
          }),
        );
        assert.deepEqual(await store.findSource('github'), source);
        assert.deepEqual(await store.findSource(source.id), source);
        const other = await store.createApp(anApp());
        await assert.rejects(store.createSource(aSource(other.id, { id: newId('src') })), StoreConflictError);
        assert.deepEqual(
          (await store.listSources({ limit: 10 })).data.map((s) => s.id),
          [source.id],
        );
        await store.deleteApp(app.id);
        assert.equal(await store.findSource(source.id), null);
      }));

    test('a source is made with its app and destinations in one transaction: all of them, or none', () =>
      withStore(async (store) => {
        const app = anApp();
        const destinations = [anEndpoint(app.id), anEndpoint(app.id, { id: newId('ep', T0), url: 'http://127.0.0.1:9/b' })];
        const made = await store.createSourceWithDestinations({ app, destinations, source: aSource(app.id) });
        assert.deepEqual(made, { app, destinations, source: aSource(app.id, { id: made.source.id }) });
        assert.deepEqual(await store.findApp(app.id), app);
        assert.deepEqual(
          (await store.listEndpoints(app.id, { limit: 10 })).data.map((ep) => ep.id).sort(),
          destinations.map((ep) => ep.id).sort(),
        );
        assert.deepEqual(await store.findSource('github'), made.source);

        // The name is taken: the insert that fails comes last, after the app's and the endpoints'.
        const second = anApp();
        const endpoint = anEndpoint(second.id);
        await assert.rejects(
          store.createSourceWithDestinations({ app: second, destinations: [endpoint], source: aSource(second.id) }),
          StoreConflictError,
        );
        assert.equal(await store.findApp(second.id), null);
        assert.equal(await store.findEndpoint(second.id, endpoint.id), null);
        assert.deepEqual(
          (await store.listSources({ limit: 10 })).data.map((s) => s.id),
          [made.source.id],
        );

        // An endpoint id that is taken fails in the middle, after the app: the app goes too.
        const third = anApp();
        await assert.rejects(
          store.createSourceWithDestinations({
            app: third,
            destinations: [{ ...destinations[0], appId: third.id } as Endpoint],
            source: aSource(third.id, { name: 'stripe', id: newId('src', T0) }),
          }),
        );
        assert.equal(await store.findApp(third.id), null);
        assert.equal(await store.findSource('stripe'), null);
      }));

    test('the destinations of a page of sources are read at once: each app’s newest endpoints, oldest first', () =>
      withStore(async (store) => {
        const [first, second, empty] = [anApp(), anApp(), anApp()];
        for (const app of [first, second, empty]) await store.createApp(app);
        const made: Endpoint[] = [];
        for (let i = 0; i < 3; i++) {
          made.push(
            await store.createEndpoint(anEndpoint(first.id, { id: newId('ep', T0 + i), url: `http://127.0.0.1:9/${i}` })),
          );
        }
        const other = await store.createEndpoint(anEndpoint(second.id, { id: newId('ep', T0) }));
        const all = await store.endpointsOfApps([first.id, second.id, empty.id, 'app_unknown'], 10);
        assert.deepEqual(all, { [first.id]: made, [second.id]: [other] });
        const newest = await store.endpointsOfApps([first.id, second.id], 2);
        assert.deepEqual(newest, { [first.id]: made.slice(1), [second.id]: [other] });
        assert.deepEqual(await store.endpointsOfApps([], 10), {});
      }));

    test('a patch changes only what it names; null removes the rate limit and the schema', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const source = await store.createSource(
          aSource(app.id, { rateLimit: { perSecond: 1, burst: 1 }, schema: { type: 'object' } }),
        );
        const rotated = await store.updateSource(source.id, { secrets: ['s2', 's1'] }, T0 + 1);
        assert.deepEqual(rotated, { ...source, secrets: ['s2', 's1'], updatedAt: T0 + 1 });
        const cleared = await store.updateSource(source.id, { rateLimit: null, schema: null, allowIps: ['1.2.3.4'] }, T0 + 2);
        assert.deepEqual(cleared, {
          ...source,
          secrets: ['s2', 's1'],
          allowIps: ['1.2.3.4'],
          rateLimit: null,
          schema: null,
          updatedAt: T0 + 2,
        });
        const forwarding = await store.updateSource(source.id, { forwardHeaders: ['x-custom', 'x-trace'] }, T0 + 3);
        assert.deepEqual(forwarding, { ...cleared, forwardHeaders: ['x-custom', 'x-trace'], updatedAt: T0 + 3 });
        assert.deepEqual(await store.findSource(source.id), forwarding);
        assert.equal(await store.updateSource(newId('src'), { secrets: [] }, T0), null);
      }));

    test('refusals are counted, and the last one kept', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const source = await store.createSource(aSource(app.id));
        await store.recordSourceRefusal(source.id, { code: 'rate_limited', message: 'too fast', at: T0 + 1 });
        await store.recordSourceRefusal(source.id, { code: 'signature_invalid', message: 'no match', at: T0 + 2 });
        const found = await store.findSource(source.id);
        assert.equal(found?.refusals, 2);
        assert.deepEqual(found?.lastRefusal, { code: 'signature_invalid', message: 'no match', at: T0 + 2 });
      }));

    test('refusals counted in memory are added in one write per batch, each with its last refusal; gone sources are skipped', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const other = await store.createApp(anApp());
        const first = await store.createSource(aSource(app.id));
        const second = await store.createSource(aSource(other.id, { id: newId('src', T0 + 1), name: 'stripe' }));
        await store.recordSourceRefusal(first.id, { code: 'ip_not_allowed', message: 'not here', at: T0 + 1 });
        await store.recordSourceRefusals([
          { sourceId: first.id, count: 40, last: { code: 'signature_invalid', message: 'no match', at: T0 + 5 } },
          { sourceId: second.id, count: 3, last: { code: 'rate_limited', message: 'too fast', at: T0 + 6 } },
          { sourceId: newId('src'), count: 7, last: { code: 'header_missing', message: 'none', at: T0 + 7 } },
        ]);
        await store.recordSourceRefusals([]);
        const one = await store.findSource(first.id);
        assert.equal(one?.refusals, 41);
        assert.deepEqual(one?.lastRefusal, { code: 'signature_invalid', message: 'no match', at: T0 + 5 });
        const two = await store.findSource(second.id);
        assert.equal(two?.refusals, 3);
        assert.deepEqual(two?.lastRefusal, { code: 'rate_limited', message: 'too fast', at: T0 + 6 });
      }));

    test('each source keeps its latest 100 refusals with their reasons, newest first', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const source = await store.createSource(aSource(app.id));
        const refusal = (i: number) => ({ code: i % 2 ? 'signature_invalid' : 'rate_limited', message: `#${i}`, at: T0 + i });
        await store.recordSourceRefusal(source.id, refusal(0));
        const batch = Array.from({ length: 110 }, (_, i) => refusal(i + 1));
        await store.recordSourceRefusals([{ sourceId: source.id, count: 110, last: refusal(110), recent: batch }]);
        const kept = await store.listSourceRefusals(source.id, 500);
        assert.equal(kept.length, 100, 'bounded');
        assert.deepEqual(kept[0], refusal(110));
        assert.deepEqual(kept.at(-1), refusal(11));
        assert.deepEqual(await store.listSourceRefusals(source.id, 2), [refusal(110), refusal(109)]);
        assert.equal((await store.findSource(source.id))?.refusals, 111);
        await store.deleteApp(app.id);
        assert.deepEqual(await store.listSourceRefusals(source.id, 10), [], 'gone with its source');
      }));

    test('an ingested request keeps its provider headers, and a claim hands them to the worker with the raw body', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        await store.createEndpoint(anEndpoint(app.id));
        const message = ingested(app.id, T0);
        await store.publishMessage({ message, idempotencyWindowMs: 60_000 });
        assert.deepEqual(await store.findMessage(app.id, message.id), message);
        const [claimed] = await store.claimDueDeliveries({
          now: T0,
          limit: 10,
          leaseMs: 30_000,
          endpointCap: 10,
          inFlight: new Map(),
        });
        assert.deepEqual(claimed?.message, {
          id: message.id,
          type: 'push',
          payload: message.payload,
          headers: message.headers,
          createdAt: message.createdAt,
        });
      }));

    test('a provider delivery id kept as the idempotency key makes its retries duplicates', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const first = await store.publishMessage({
          message: ingested(app.id, T0, { idempotencyKey: 'delivery-1' }),
          idempotencyWindowMs: 60_000,
        });
        const again = await Promise.all(
          [1, 2, 3].map((n) =>
            store.publishMessage({
              message: ingested(app.id, T0 + n, { idempotencyKey: 'delivery-1' }),
              idempotencyWindowMs: 60_000,
            }),
          ),
        );
        assert.equal(first.duplicate, false);
        assert.ok(again.every((r) => r.duplicate && r.message.id === first.message.id));
      }));

    test('the stream reads messages after a cursor, oldest first, up to a time', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const message = ingested(app.id, T0 + i * 1000);
          ids.push(message.id);
          await store.publishMessage({ message, idempotencyWindowMs: 60_000 });
        }
        const all = await store.messagesAfter(app.id, null, T0 + 10_000, 10);
        assert.deepEqual(
          all.map((m) => m.id),
          ids,
        );
        const page = await store.messagesAfter(app.id, ids[1] ?? null, T0 + 3_000, 10);
        assert.deepEqual(
          page.map((m) => m.id),
          [ids[2], ids[3]],
          'after the cursor, and not newer than the time given',
        );
        assert.deepEqual(
          (await store.messagesAfter(app.id, ids[0] ?? null, T0 + 10_000, 2)).map((m) => m.id),
          [ids[1], ids[2]],
        );
        assert.deepEqual(page[0]?.headers, { 'x-github-event': 'push', 'content-type': 'application/json' });
      }));
  });
}
