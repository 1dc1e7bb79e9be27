/**
 * Group commit in the PostgreSQL store: publishes and attempt records made at the same moment share one statement,
 * yet each call gets its own result, a bad call fails alone with the error it would get alone, and stores in several
 * processes recording at once neither deadlock nor lose a record.
 * Needs a PostgreSQL at 127.0.0.1:5432 with trust auth (or HOOKD_TEST_POSTGRES_URL); skipped without one, except under CI.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { type ClaimedDelivery, type Endpoint, type Message, type NextStep, newId } from '../../src/domain/index.js';
import { openStore, type RecordAttemptResult, type Store } from '../../src/store/index.js';
import { createTestDatabase, POSTGRES_UNREACHABLE, reachPostgres } from '../helpers/postgres.js';
import { anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';

const aMessage = (appId: string, type = 'order.created', id = newId('msg', T0)): Message => ({
  id,
  appId,
  type,
  payload: `{"type":"${type}"}`,
  idempotencyKey: null,
  createdAt: T0,
});

const publish = (store: Store, message: Message) => store.publishMessage({ message, idempotencyWindowMs: 60_000 });

/** Every due delivery, leased. */
const claimAll = (store: Store, now = T0) =>
  store.claimDueDeliveries({ now, limit: 1_000, leaseMs: 60_000, endpointCap: 1_000, inFlight: new Map() });

/** The error a call failed with, or a failure if it succeeded. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => assert.fail('the call succeeded'),
    (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
  );

const adminUrl = await reachPostgres();

if (adminUrl === null) {
  if (process.env.CI === 'true') test('PostgreSQL is reachable for the batching tests', () => assert.fail(POSTGRES_UNREACHABLE));
  else test('PostgreSQL store batching', { skip: POSTGRES_UNREACHABLE }, () => {});
} else {
  const database = await createTestDatabase(adminUrl);
  after(() => database.drop());
  const withStore = async (run: (store: Store, url: string) => Promise<void>) => {
    const url = await database.freshSchema();
    await withOpenStore(
      () => openStore(url, { poolSize: 3 }),
      (store) => run(store, url),
    );
  };

  /** The answer of one query straight to the database, bypassing the store. */
  async function queryOne(url: string, sql: string): Promise<Record<string, unknown>> {
    const client = new pg.Client(url);
    await client.connect();
    try {
      return (await client.query(sql)).rows[0];
    } finally {
      await client.end();
    }
  }

  describe('PostgreSQL store, publishes made together', () => {
    test('many publishes at once all commit in a few statements, each answered with its own message and deliveries', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const everything = await store.createEndpoint(anEndpoint(app.id));
        const orders = await store.createEndpoint(anEndpoint(app.id, { events: ['order.*'] }));
        const messages = Array.from({ length: 300 }, (_, i) => aMessage(app.id, i % 2 ? 'user.created' : 'order.created'));
        let wakeUps = 0;
        const stop = await store.watchDue(() => wakeUps++);

        const results = await Promise.all(messages.map((m) => publish(store, m)));
        await new Promise((resolve) => setTimeout(resolve, 200)); // the notifications sent on commit arrive
        await stop();

        assert.deepEqual(
          results.map((r) => [r.message.id, r.duplicate, r.deliveries]),
          messages.map((m) => [m.id, false, m.type === 'order.created' ? 2 : 1]),
        );
        // Each statement notifies once, and a batch holds up to 256 publishes: one per publish would be 300.
        assert.ok(wakeUps >= 1 && wakeUps <= 2, `${wakeUps} wake-ups`);
        assert.equal((await store.listMessages(app.id, {}, { limit: 500 })).data.length, 300);
        assert.equal((await store.countDeliveriesByStatus(everything.id)).pending, 300);
        assert.equal((await store.countDeliveriesByStatus(orders.id)).pending, 150);
        const toOrders = (await claimAll(store)).filter((c) => c.endpoint.id === orders.id);
        assert.ok(
          toOrders.every((c) => c.message.type === 'order.created'),
          'each endpoint gets the types it takes',
        );
      }));

    test('a bad publish among good ones fails alone, with the error it gets alone, and the others commit', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        await store.createEndpoint(anEndpoint(app.id));
        const taken = aMessage(app.id);
        await publish(store, taken);
        const noApp = await failure(publish(store, aMessage('app_missing')));
        const takenId = await failure(publish(store, aMessage(app.id, 'order.created', taken.id)));
        assert.equal(noApp.code, '23503', 'an unknown app violates a foreign key');
        assert.equal(takenId.code, '23505', 'a message id is taken once');

        const twin = newId('msg', T0);
        const calls = [
          ...Array.from({ length: 10 }, () => publish(store, aMessage(app.id))),
          publish(store, aMessage('app_missing')),
          publish(store, aMessage(app.id, 'order.created', taken.id)),
          publish(store, aMessage(app.id, 'order.created', twin)),
          publish(store, aMessage(app.id, 'order.created', twin)),
          ...Array.from({ length: 10 }, () => publish(store, aMessage(app.id))),
        ];
        const settled = await Promise.allSettled(calls);

        const good = [...settled.slice(0, 10), ...settled.slice(14)];
        assert.ok(good.every((s) => s.status === 'fulfilled' && s.value.deliveries === 1));
        assert.deepEqual(await failure(calls[10] as Promise<unknown>), noApp);
        assert.deepEqual(await failure(calls[11] as Promise<unknown>), takenId);
        const twins = settled.slice(12, 14);
        assert.equal(twins.filter((s) => s.status === 'fulfilled').length, 1, 'of two publishes of one id, one commits');
        const lost = twins.find((s) => s.status === 'rejected') as PromiseRejectedResult;
        assert.equal(lost.reason.code, '23505');
        assert.equal((await store.listMessages(app.id, {}, { limit: 100 })).data.length, 1 + 20 + 1);
        assert.equal((await claimAll(store)).length, 1 + 20 + 1, 'every message committed has its delivery');
      }));
  });

  describe('PostgreSQL store, endpoints changed by another process', () => {
    test('a publish fans out to the endpoints as they are now, whatever another store changed since its last one', () =>
      withStore(async (publisher, url) => {
        const other = await openStore(url, { poolSize: 1 });
        try {
          const app = await publisher.createApp(anApp());
          const first = await publisher.createEndpoint(anEndpoint(app.id));
          /** The endpoints a publish from `publisher` makes pending deliveries for. */
          const fannedOutTo = async (type = 'order.created') => {
            const { message } = await publish(publisher, aMessage(app.id, type));
            const deliveries = await publisher.listDeliveries(app.id, { messageId: message.id }, { limit: 10 });
            return deliveries.data.map((d) => d.endpointId).sort();
          };
          assert.deepEqual(await fannedOutTo(), [first.id]);

          const second = await other.createEndpoint(anEndpoint(app.id, { id: newId('ep', T0 + 1) }));
          assert.deepEqual(await fannedOutTo(), [first.id, second.id].sort(), 'an endpoint added since');
          await other.disableEndpoint(first.id, 'test', T0);
          assert.deepEqual(await fannedOutTo(), [second.id], 'an endpoint disabled since');
          await other.updateEndpoint(app.id, second.id, { events: ['user.*'] }, T0);
          assert.deepEqual(await fannedOutTo(), [], 'an endpoint that no longer takes the type');
          assert.deepEqual(await fannedOutTo('user.created'), [second.id]);
          await other.updateEndpoint(app.id, first.id, { disabled: false }, T0);
          assert.deepEqual(await fannedOutTo(), [first.id], 'an endpoint enabled again');
          await other.deleteEndpoint(app.id, first.id);
          assert.deepEqual(await fannedOutTo(), [], 'an endpoint deleted since');
        } finally {
          await other.close();
        }
      }));
  });

  describe('PostgreSQL store, an app deleted while one of its endpoints changes', () => {
    test('neither waits for the other forever: the endpoint change commits, then the app is deleted', () =>
      withStore(async (store, url) => {
        const app = await store.createApp(anApp());
        const endpoint = await store.createEndpoint(anEndpoint(app.id));
        const other = new pg.Client(url);
        await other.connect();
        try {
          // Another process is about to change the endpoint: it holds the row, and its change will bump the app's row.
          await other.query('BEGIN');
          await other.query('SELECT id FROM endpoints WHERE id = $1 FOR UPDATE', [endpoint.id]);
          const deleted = store.deleteApp(app.id);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await other.query("UPDATE endpoints SET events = ARRAY['user.*'] WHERE id = $1", [endpoint.id]);
          await other.query('COMMIT');
          assert.equal(await deleted, true);
          assert.equal(await store.findApp(app.id), null);
        } finally {
          await other.end();
        }
      }));
  });

  describe('PostgreSQL store, an app or endpoint deleted while an attempt is being recorded', () => {
    /**
     * Another process records an attempt: it holds the delivery's row, and next takes the endpoint's (the attempt's
     * foreign key, the endpoint's health), in that order, as a record statement does. Meanwhile `remove` runs, whose
     * cascade takes the endpoint's row and then wants the delivery's: a lock cycle, which PostgreSQL breaks after
     * deadlock_timeout by failing the deletion. The deletion runs again once the record is through.
     */
    async function deletedWhileRecorded(remove: (store: Store, appId: string, endpointId: string) => Promise<boolean>) {
      await withStore(async (store, url) => {
        const app = await store.createApp(anApp());
        const endpoint = await store.createEndpoint(anEndpoint(app.id));
        await publish(store, aMessage(app.id));
        const [claimed] = await claimAll(store);
        const recorder = new pg.Client(url);
        await recorder.connect();
        try {
          // The deletion's check (after 1 s) comes first, so the deletion is the one failed.
          await recorder.query("SET deadlock_timeout = '10s'");
          await recorder.query('BEGIN');
          await recorder.query('SELECT id FROM deliveries WHERE id = $1 FOR UPDATE', [claimed?.delivery.id]);
          const deleted = remove(store, app.id, endpoint.id);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await recorder.query('SELECT id FROM endpoints WHERE id = $1 FOR KEY SHARE', [endpoint.id]);
          await recorder.query('COMMIT');
          assert.equal(await deleted, true);
          assert.deepEqual(await store.countDeliveriesByStatus(endpoint.id), { pending: 0, succeeded: 0, failed: 0, skipped: 0 });
        } finally {
          await recorder.end();
        }
      });
    }

    test('deleting the app goes through', () => deletedWhileRecorded((store, appId) => store.deleteApp(appId)));
    test('deleting the endpoint goes through', () =>
      deletedWhileRecorded((store, appId, endpointId) => store.deleteEndpoint(appId, endpointId)));
  });

  describe('PostgreSQL store, attempts recorded together', () => {
    /** Records every (delivery, outcome) in the same turn, so they share a batch. */
    const recordTogether = (store: Store, records: [ClaimedDelivery, NextStep, { at?: number; token?: string }?][]) =>
      Promise.all(
        records.map(([claimed, next, { at = T0, token = claimed.leaseToken } = {}]) =>
          store.recordAttempt({
            attempt: anAttempt(claimed.delivery.id, { startedAt: at, responseStatus: next.status === 'succeeded' ? 200 : 500 }),
            leaseToken: token,
            next,
            now: at + 1,
            disableAfterMs: 1_000,
          }),
        ),
      );

    test('each record gets its own result: a lost lease beside good ones, a retry, a 410, a disabled endpoint, a delivery that is gone', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const ok = await store.createEndpoint(anEndpoint(app.id, { events: ['order.*'] }));
        const gone = await store.createEndpoint(anEndpoint(app.id, { events: ['gone.*'] }));
        const off = await store.createEndpoint(anEndpoint(app.id, { events: ['off.*'] }));
        for (const type of ['order.a', 'order.b', 'order.c', 'gone.a', 'off.a']) await publish(store, aMessage(app.id, type));
        const claimed = await claimAll(store);
        const of = (type: string) => claimed.find((c) => c.message.type === type) as ClaimedDelivery;
        // One more delivery of the gone endpoint, not in flight: the 410 fails it.
        const idle = await publish(store, aMessage(app.id, 'gone.b'));
        await store.disableEndpoint(off.id, 'by hand', T0);
        const a = of('order.a');
        const missing: ClaimedDelivery = { ...a, delivery: { ...a.delivery, id: newId('dlv', T0) } };

        const results = await recordTogether(store, [
          [of('order.a'), { status: 'succeeded' }],
          [of('order.b'), { status: 'succeeded' }, { token: 'a lease since lost' }],
          [of('order.c'), { status: 'pending', nextAttemptAt: T0 + 5_000 }],
          [of('gone.a'), { status: 'failed', disableEndpoint: 'HTTP 410 Gone' }],
          [of('off.a'), { status: 'pending', nextAttemptAt: T0 + 5_000 }],
          [missing, { status: 'succeeded' }],
        ]);

        assert.deepEqual<RecordAttemptResult[]>(results, [
          { finished: true, disabled: null },
          { finished: false, disabled: null },
          { finished: true, disabled: null },
          { finished: true, disabled: 'HTTP 410 Gone' },
          { finished: true, disabled: null },
          { finished: false, disabled: null },
        ]);
        const delivery = async (c: ClaimedDelivery) => store.findDelivery(app.id, c.delivery.id);
        assert.equal((await delivery(of('order.a')))?.status, 'succeeded');
        const lost = await delivery(of('order.b'));
        assert.deepEqual([lost?.status, lost?.attemptCount], ['pending', 0], 'a lost lease leaves the delivery to its holder');
        assert.equal((await store.listAttempts(of('order.b').delivery.id)).length, 1, 'yet the attempt is kept');
        const retry = await delivery(of('order.c'));
        assert.deepEqual([retry?.status, retry?.attemptCount, retry?.nextAttemptAt], ['pending', 1, T0 + 5_000]);
        assert.equal((await delivery(of('gone.a')))?.status, 'failed');
        assert.equal((await store.findEndpoint(app.id, gone.id))?.disabledReason, 'HTTP 410 Gone');
        assert.equal(idle.deliveries, 1);
        assert.deepEqual(await store.countDeliveriesByStatus(gone.id), { pending: 0, succeeded: 0, failed: 2, skipped: 0 });
        assert.equal((await delivery(of('off.a')))?.status, 'failed', 'a disabled endpoint’s delivery fails instead of retrying');
        assert.equal((await store.findEndpoint(app.id, ok.id))?.disabledAt, null);
      }));

    test('attempts recorded at once are written by one transaction', () =>
      withStore(async (store, url) => {
        const app = await store.createApp(anApp());
        for (let i = 0; i < 2; i++) await store.createEndpoint(anEndpoint(app.id));
        for (let i = 0; i < 8; i++) await publish(store, aMessage(app.id));
        const claimed = await claimAll(store);

        const results = await recordTogether(
          store,
          claimed.map((c) => [c, { status: 'succeeded' }]),
        );

        assert.equal(results.length, 16);
        assert.ok(results.every((r) => r.finished));
        // Rows written by one transaction carry its id as their xmin.
        const written = await queryOne(
          url,
          'SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS transactions FROM attempts',
        );
        assert.deepEqual(written, { n: 16, transactions: 1 });
      }));

    test('attempts whose text JSON cannot hand PostgreSQL (a lone surrogate, a NUL) are still written by one transaction', () =>
      withStore(async (store, url) => {
        const app = await store.createApp(anApp());
        await store.createEndpoint(anEndpoint(app.id));
        for (let i = 0; i < 4; i++) await publish(store, aMessage(app.id));
        const claimed = await claimAll(store);
        await Promise.all(
          claimed.map((c) =>
            store.recordAttempt({
              attempt: anAttempt(c.delivery.id, { requestBody: 'x\ud83d', responseBody: 'y\u0000' }),
              leaseToken: c.leaseToken,
              next: { status: 'succeeded' },
              now: T0,
            }),
          ),
        );
        const written = await queryOne(
          url,
          'SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS transactions, min(request_body || response_body) AS text FROM attempts',
        );
        assert.deepEqual(written, { n: 4, transactions: 1, text: 'x\uFFFDy\uFFFD' });
      }));

    test('one batch judges each endpoint’s health in the order its attempts started', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const endpoints: Endpoint[] = [];
        for (let i = 0; i < 3; i++) endpoints.push(await store.createEndpoint(anEndpoint(app.id)));
        for (let i = 0; i < 3; i++) await publish(store, aMessage(app.id));
        const claimed = await claimAll(store);
        const [recovers, relapses, failing] = endpoints.map((e) => claimed.filter((c) => c.endpoint.id === e.id)) as [
          ClaimedDelivery[],
          ClaimedDelivery[],
          ClaimedDelivery[],
        ];
        const fail = { status: 'pending', nextAttemptAt: T0 + 60_000 } as const;
        const succeed = { status: 'succeeded' } as const;

        await recordTogether(store, [
          [recovers[0] as ClaimedDelivery, succeed, { at: T0 + 20 }],
          [recovers[1] as ClaimedDelivery, fail, { at: T0 + 10 }],
          [relapses[0] as ClaimedDelivery, fail, { at: T0 + 30 }],
          [relapses[1] as ClaimedDelivery, succeed, { at: T0 + 10 }],
          [relapses[2] as ClaimedDelivery, fail, { at: T0 + 20 }],
          [failing[0] as ClaimedDelivery, fail, { at: T0 + 30 }],
          [failing[1] as ClaimedDelivery, fail, { at: T0 + 10 }],
        ]);

        const failingSince = async (e: Endpoint) => (await store.endpointHealth(e.id, T0)).failingSince;
        assert.deepEqual(await Promise.all(endpoints.map(failingSince)), [null, T0 + 20, T0 + 10]);
      }));

    test('of several failures in one batch past disableAfter, exactly one disables the endpoint and learns why', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const endpoint = await store.createEndpoint(anEndpoint(app.id));
        for (let i = 0; i < 4; i++) await publish(store, aMessage(app.id));
        const [first, ...rest] = await claimAll(store);
        const retry = { status: 'pending', nextAttemptAt: T0 + 60_000 } as const;
        await recordTogether(store, [[first as ClaimedDelivery, retry, { at: T0 }]]);

        const results = await recordTogether(
          store,
          rest.map((c) => [c, retry, { at: T0 + 2_000 }]),
        );

        const reason = `failed without a success since ${new Date(T0).toISOString()}`;
        assert.deepEqual(results.map((r) => r.disabled).sort(), [reason, null, null].sort());
        assert.ok(results.every((r) => r.finished));
        assert.equal((await store.findEndpoint(app.id, endpoint.id))?.disabledReason, reason);
        assert.deepEqual(await store.countDeliveriesByStatus(endpoint.id), { pending: 0, succeeded: 0, failed: 4, skipped: 0 });
      }));

    test('two stores recording at once, on the same deliveries and endpoints, neither deadlock nor lose a record', {
      timeout: 30_000,
    }, async () => {
      // A deadlock would be broken after deadlock_timeout and each call run alone, which hides it: with the
      // check a minute away, one makes this test time out instead.
      const url = new URL(await database.freshSchema());
      url.searchParams.set('options', `${url.searchParams.get('options')} -c deadlock_timeout=60s`);
      const stores = [await openStore(url.href, { poolSize: 2 }), await openStore(url.href, { poolSize: 2 })];
      try {
        const [first] = stores as [Store];
        const app = await first.createApp(anApp());
        for (let i = 0; i < 4; i++) await first.createEndpoint(anEndpoint(app.id));
        for (let i = 0; i < 100; i++) await publish(first, aMessage(app.id));
        const claimed = await claimAll(first);
        assert.equal(claimed.length, 400);

        // Waves of records from both stores, none waiting for the last: several batches of each store run at once.
        // Outcomes and start times vary so that endpoints' health keeps changing; every fifth delivery is also
        // recorded by the other store under a lost lease, so both lock the same deliveries.
        const calls: Promise<{ stale: boolean; result: RecordAttemptResult }>[] = [];
        for (let wave = 0; wave < 20; wave++) {
          for (const [i, c] of claimed.entries()) {
            if (i % 20 !== wave) continue;
            const record = (store: Store, token: string) =>
              store.recordAttempt({
                attempt: anAttempt(c.delivery.id, { startedAt: T0 + ((i * 7_919) % 1_000), responseStatus: i % 3 ? 500 : 200 }),
                leaseToken: token,
                next: i % 3 ? { status: 'pending', nextAttemptAt: T0 + 60_000 } : { status: 'succeeded' },
                now: T0 + 1_000,
              });
            calls.push(record(stores[i % 2] as Store, c.leaseToken).then((result) => ({ stale: false, result })));
            if (i % 5 === 0) calls.push(record(stores[(i + 1) % 2] as Store, 'lost').then((result) => ({ stale: true, result })));
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        const results = await Promise.all(calls);

        assert.ok(results.every(({ stale, result }) => result.finished === !stale && result.disabled === null));
        const counts = await queryOne(
          url.href,
          `SELECT (SELECT count(*)::int FROM attempts) AS attempts,
            (SELECT count(*)::int FROM deliveries WHERE lease_token IS NULL AND attempt_count = 1) AS moved_on`,
        );
        assert.deepEqual(counts, { attempts: 400 + 80, moved_on: 400 }, 'every attempt kept, every delivery moved on once');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}
