/**
 * What only the PostgreSQL store, a shared database, has to get right: several processes claiming, migrating and
 * publishing at once, wake-ups across processes, and outages. The contract both stores pass is in the role files
 * (queue.test.ts, admin.test.ts, ops.test.ts, dashboard.test.ts).
 * Needs a PostgreSQL at 127.0.0.1:5432 with trust auth (or HOOKD_TEST_POSTGRES_URL); skipped without one, except under CI.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { type ClaimedDelivery, type Endpoint, newId } from '../../src/domain/index.js';
import { isStoreUnavailable, openStore, type Store, StoreConflictError, type Wake } from '../../src/store/index.js';
import { eventually } from '../helpers/hookd.js';
import { createTestDatabase, POSTGRES_UNREACHABLE, reachPostgres, startOutageProxy, viaPort } from '../helpers/postgres.js';
import { anApp, anAttempt, anEndpoint, T0 } from './fixtures.js';

async function seed(store: Store, endpointCount: number) {
  const app = await store.createApp(anApp());
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < endpointCount; i++)
    endpoints.push(await store.createEndpoint(anEndpoint(app.id, { url: `http://127.0.0.1:9/hook-${i}` })));
  return { app, endpoints };
}

const publish = (store: Store, appId: string, idempotencyKey: string | null = null) =>
  store.publishMessage({
    message: {
      id: newId('msg', T0),
      appId,
      type: 'order.created',
      payload: '{"type":"order.created","timestamp":"2026-01-01T00:00:00Z","data":{}}',
      idempotencyKey,
      createdAt: T0,
    },
    idempotencyWindowMs: 60_000,
  });

/** Resolves on the next call of the listener it hands out; rejects if none comes within `ms`. */
function nextCall(ms: number) {
  let wake: () => void = () => {};
  let calls = 0;
  const arm = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the listener was not called within ${ms} ms`)), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return {
    listener: () => {
      calls++;
      wake();
    },
    arm,
    calls: () => calls,
  };
}
const adminUrl = await reachPostgres();

if (adminUrl === null) {
  if (process.env.CI === 'true') test('PostgreSQL is reachable for the store tests', () => assert.fail(POSTGRES_UNREACHABLE));
  else test('PostgreSQL store', { skip: POSTGRES_UNREACHABLE }, () => {});
} else {
  const database = await createTestDatabase(adminUrl);
  after(() => database.drop());

  describe('PostgreSQL store, shared by several processes', () => {
    /** Opens `count` stores on one fresh schema, as separate processes would, and closes them all after `run`. */
    async function withStores(count: number, run: (stores: Store[], url: string) => Promise<void>): Promise<void> {
      const url = await database.freshSchema();
      const stores: Store[] = [];
      try {
        for (let i = 0; i < count; i++) stores.push(await openStore(url, { poolSize: 2 }));
        await run(stores, url);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }

    test('four claimers at once never take the same delivery, and together take all 500', () =>
      withStores(4, async (stores) => {
        const [first] = stores as [Store];
        const { app } = await seed(first, 5);
        for (let i = 0; i < 100; i++) await publish(first, app.id);
        // A claimer that loses every race for the same rows comes back empty while work is left, so each goes on
        // until all 500 are taken; the bound ends a run that lost some.
        let taken = 0;
        let claims = 0;
        let inFlightClaims = 0;
        let mostAtOnce = 0;
        const claimLoop = async (store: Store) => {
          const mine: ClaimedDelivery[] = [];
          while (taken < 500 && claims++ < 1_000) {
            mostAtOnce = Math.max(mostAtOnce, ++inFlightClaims);
            const batch = await store.claimDueDeliveries({
              now: T0,
              limit: 10,
              leaseMs: 60_000,
              endpointCap: 1_000,
              inFlight: new Map(),
            });
            inFlightClaims--;
            taken += batch.length;
            mine.push(...batch);
          }
          return mine;
        };
        const perClaimer = await Promise.all(stores.map(claimLoop));
        const ids = perClaimer.flat().map((c) => c.delivery.id);
        assert.equal(new Set(ids).size, ids.length, 'no delivery was claimed twice');
        assert.equal(ids.length, 500, 'every delivery was claimed');
        assert.equal(mostAtOnce, 4, 'the claims really ran side by side');
        const leased = await first.listDeliveries(app.id, { status: 'pending' }, { limit: 1 });
        assert.equal(leased.data[0]?.nextAttemptAt, T0 + 60_000, 'each claimed delivery carries its lease');
      }));

    test('a lease writes no index entry: a leased row is a heap-only version beside the one it replaced', () =>
      withStores(1, async ([store], url) => {
        const { app } = await seed(store as Store, 1);
        for (let i = 0; i < 20; i++) await publish(store as Store, app.id);
        const client = new pg.Client(url);
        await client.connect();
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
          const claimed = await (store as Store).claimDueDeliveries({
            now: T0,
            limit: 5,
            leaseMs: 30_000,
            endpointCap: 100,
            inFlight: new Map(),
          });
          assert.equal(claimed.length, 5);
          // HEAP_HOT_UPDATED (0x4000) marks a version a HOT update replaced, HEAP_ONLY_TUPLE (0x8000) its successor,
          // which no index points at. The table's fillfactor leaves room on each page for a few such versions.
          const { rows } = await client.query<{ hot: number; heap_only: number }>(`
            SELECT count(*) FILTER (WHERE t_infomask2 & 16384 <> 0)::int AS hot,
              count(*) FILTER (WHERE t_infomask2 & 32768 <> 0)::int AS heap_only
            FROM generate_series(0, pg_relation_size('deliveries') / current_setting('block_size')::int - 1) AS page,
              heap_page_items(get_raw_page('deliveries', page::int))`);
          assert.deepEqual(rows[0], { hot: 5, heap_only: 5 });
          const recorded = await (store as Store).recordAttempt({
            attempt: anAttempt((claimed[0] as ClaimedDelivery).delivery.id, { startedAt: T0 }),
            leaseToken: (claimed[0] as ClaimedDelivery).leaseToken,
            next: { status: 'succeeded' },
            now: T0 + 10,
          });
          assert.equal(recorded.finished, true, 'the lease still holds for its record');
        } finally {
          await client.end();
        }
      }));

    test('three processes migrating one new database at once all start', async () => {
      const url = await database.freshSchema();
      const stores = await Promise.all([1, 2, 3].map(() => openStore(url, { poolSize: 1 })));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        const client = new pg.Client(url);
        await client.connect();
        try {
          const { rows } = await client.query('SELECT version FROM hookd_migrations ORDER BY version');
          assert.deepEqual(
            rows.map((r) => r.version),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
          );
        } finally {
          await client.end();
        }
        const app = await stores[0]?.createApp({ id: newId('app'), uid: 'shared', name: 'A', createdAt: T0, updatedAt: T0 });
        assert.equal((await stores[2]?.findApp('shared'))?.id, app?.id);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('a listener in one process wakes soon after a publish, a retry or a replay in another', () =>
      withStores(2, async ([worker, api]) => {
        assert.ok(worker && api);
        const { app, endpoints } = await seed(api, 1);
        const wakes = nextCall(2_000);
        const stop = await worker.watchDue(wakes.listener);
        try {
          let woken = wakes.arm();
          const started = performance.now();
          await publish(api, app.id);
          await woken;
          assert.ok(performance.now() - started < 1_000, 'woken within a second');

          const [claimed] = await worker.claimDueDeliveries({
            now: T0,
            limit: 1,
            leaseMs: 1000,
            endpointCap: 1,
            inFlight: new Map(),
          });
          assert.ok(claimed);
          await worker.recordAttempt({
            attempt: anAttempt(claimed.delivery.id, { responseStatus: 500 }),
            leaseToken: claimed.leaseToken,
            next: { status: 'failed' },
            now: T0 + 1,
          });
          woken = wakes.arm();
          assert.equal((await api.retryDelivery(app.id, claimed.delivery.id, T0 + 2))?.status, 'pending');
          await woken;

          await api.disableEndpoint((endpoints[0] as Endpoint).id, 'test', T0 + 3);
          woken = wakes.arm();
          const replayed = await api.replayDeliveries({
            endpointId: (endpoints[0] as Endpoint).id,
            since: T0,
            status: 'failed',
            now: T0 + 4,
          });
          assert.equal(replayed, 1);
          await woken;
        } finally {
          await stop();
        }
        const before = wakes.calls();
        await publish(api, app.id);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(wakes.calls(), before, 'a stopped listener hears nothing');
      }));

    test('a publish wakes one of the workers listening, wakeEvery all of them; listeners on another schema do not count', () =>
      withStores(4, async ([api, ...workers]) => {
        assert.ok(api);
        const { app } = await seed(api, 1);
        // A listener on another schema of the same database hears the same channel, and is no member.
        const elsewhere = await openStore(await database.freshSchema(), { poolSize: 1 });
        const heard: Wake[][] = workers.map(() => []);
        const stops = await Promise.all(workers.map((w, i) => (w as Store).watchDue((wake) => heard[i]?.push(wake))));
        const stopElsewhere = await elsewhere.watchDue(() => {});
        try {
          await new Promise((resolve) => setTimeout(resolve, 1_500)); // each listener has read who listens since the last came
          const publishes = 30;
          for (let i = 0; i < publishes; i++) await publish(api, app.id);
          await eventually(() => (heard.flat().length >= publishes ? true : undefined), 5_000, 'every publish to wake a worker');
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.equal(heard.flat().length, publishes, `one wake-up a publish: ${heard.map((h) => h.length)}`);
          assert.ok(heard.flat().every((wake) => wake === 'chosen'));
          assert.ok(heard.filter((h) => h.length > 0).length > 1, 'the publishes chose more than one worker');

          for (const h of heard) h.length = 0;
          await api.wakeEvery();
          await eventually(() => (heard.every((h) => h.length === 1) ? true : undefined), 5_000, 'every worker to wake');
          assert.deepEqual(heard, [['every'], ['every'], ['every']]);
        } finally {
          await Promise.all([...stops, stopElsewhere].map((stop) => stop()));
          await elsewhere.close();
        }
      }));

    test('racing publishes with one Idempotency-Key make one message', () =>
      withStores(2, async (stores) => {
        const { app, endpoints } = await seed(stores[0] as Store, 2);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => publish(stores[i % 2] as Store, app.id, 'same-key')),
        );
        const fresh = results.filter((r) => !r.duplicate);
        assert.equal(fresh.length, 1, 'exactly one publish went through');
        assert.ok(
          results.every((r) => r.message.id === fresh[0]?.message.id),
          'every duplicate answers with that message',
        );
        const messages = await stores[1]?.listMessages(app.id, {}, { limit: 20 });
        assert.equal(messages?.data.length, 1);
        const deliveries = await stores[1]?.listDeliveries(app.id, {}, { limit: 20 });
        assert.equal(deliveries?.data.length, endpoints.length);
      }));
  });

  describe('PostgreSQL store, when the database cannot be reached', () => {
    test('a store pointed at a closed port fails with an error the API answers 503 to', async () => {
      const error = await openStore(viaPort(database.url, 1)).then(
        () => assert.fail('opened a store with no database behind it'),
        (e: unknown) => e,
      );
      assert.equal(isStoreUnavailable(error), true, String(error));
      assert.equal(isStoreUnavailable(new StoreConflictError('uid')), false);
    });

    test('a store that loses its database fails as unavailable, then recovers by itself', async () => {
      const url = await database.freshSchema();
      const proxy = await startOutageProxy(url);
      const store = await openStore(viaPort(url, proxy.port), { poolSize: 2 });
      try {
        const { app } = await seed(store, 1);
        proxy.set('down');
        for (const call of [store.findApp(app.id), store.ping(), publish(store, app.id)]) {
          const error = await call.then(
            () => assert.fail('a call succeeded with the database cut off'),
            (e: unknown) => e,
          );
          assert.equal(isStoreUnavailable(error), true, String(error));
        }
        proxy.set('up');
        assert.equal((await store.findApp(app.id))?.id, app.id);
      } finally {
        await proxy.close();
        await store.close();
      }
    });

    test('ping gives up within its timeout when the database does not answer', async () => {
      const url = await database.freshSchema();
      const proxy = await startOutageProxy(url);
      const store = await openStore(viaPort(url, proxy.port), { poolSize: 1 });
      try {
        proxy.set('silent');
        await new Promise((resolve) => setTimeout(resolve, 50)); // the pool drops the connection it had
        const started = performance.now();
        const error = await store.ping().then(
          () => assert.fail('ping answered with nobody there'),
          (e: unknown) => e,
        );
        const took = performance.now() - started;
        assert.equal(isStoreUnavailable(error), true, String(error));
        assert.ok(took >= 1_500 && took < 3_000, `gave up after ${Math.round(took)} ms`);
      } finally {
        await proxy.close();
        await store.close();
      }
    });

    test('watchDue reconnects after an outage and calls the listener once it is back', async () => {
      const url = await database.freshSchema();
      const proxy = await startOutageProxy(url);
      const worker = await openStore(viaPort(url, proxy.port), { poolSize: 1 });
      const api = await openStore(url, { poolSize: 1 });
      try {
        const { app } = await seed(api, 1);
        const wakes = nextCall(5_000);
        await worker.watchDue(wakes.listener);
        proxy.set('down');
        await proxy.refused(2); // reconnections fail meanwhile
        const calledWhileDown = wakes.calls();
        const back = wakes.arm();
        proxy.set('up');
        await back;
        assert.equal(calledWhileDown, 0, 'nothing was heard while the database was away');
        const woken = wakes.arm();
        await publish(api, app.id);
        await woken; // LISTEN runs again on the new connection
      } finally {
        await proxy.close();
        await Promise.all([worker.close(), api.close()]); // close() also stops the listener
      }
    });
  });
}
