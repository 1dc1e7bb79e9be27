/**
 * History partitioned by day on PostgreSQL (migration 20, store/postgres/partitions.ts): a populated database
 * converts, rows land in their day's partition, retention drops whole days (and their deliveries) but keeps one with a
 * pending delivery until it is delivered, only one process runs retention at a time, and making a partition gives way
 * to a user's transaction whose locks it crosses.
 * Needs a PostgreSQL at 127.0.0.1:5432 with trust auth (or HOOKD_TEST_POSTGRES_URL); skipped without one, except under CI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { newId } from '../../src/domain/index.js';
import { RetentionLoop } from '../../src/ops/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { partitionName } from '../../src/store/postgres/partitions.js';
import { createTestDatabase, POSTGRES_UNREACHABLE, reachPostgres, type TestDatabase } from '../helpers/postgres.js';
import { anApp, anAttempt, anEndpoint, claimInput, publishAt } from './fixtures.js';

const DAY = 86_400_000;
/** A day the migration's legacy partitions end before (they end at the start of the real tomorrow). */
const SOON = (Math.floor(Date.now() / DAY) + 2) * DAY;

/** The partition a row of `table` is in. */
async function partitionOf(db: pg.Pool, table: string, id: string): Promise<string | undefined> {
  const { rows } = await db.query(`SELECT tableoid::regclass::text AS p FROM ${table} WHERE id = $1`, [id]);
  return rows[0]?.p;
}

async function tablesNamed(db: pg.Pool, pattern: string): Promise<string[]> {
  const { rows } = await db.query(
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relname LIKE $1 ORDER BY relname",
    [pattern],
  );
  return rows.map((r) => r.relname);
}

const reachable = await reachPostgres();

describe('PostgreSQL history partitions', {
  skip: reachable === null && process.env.CI !== 'true' && POSTGRES_UNREACHABLE,
}, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase(reachable ?? undefined);
  });
  after(() => database?.drop());

  /** A store on a schema of its own, with a plain pool beside it to look at the tables. */
  async function fresh(): Promise<{ url: string; store: Store; db: pg.Pool }> {
    const url = await database.freshSchema();
    const store = await openStore(url, { poolSize: 2 });
    return { url, store, db: new pg.Pool({ connectionString: url, max: 1 }) };
  }

  test('a database at the previous version, with rows, converts: rows stay, readable by id, in the legacy partitions', async () => {
    const url = await database.freshSchema();
    const db = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migrate(db, 19);
      const at = Date.now() - 40 * DAY;
      await db.query("INSERT INTO apps (id, name, created_at, updated_at) VALUES ('app_1', 'A', $1, $1)", [at]);
      await db.query(
        `INSERT INTO endpoints (id, app_id, url, description, signature_scheme, secret, created_at, updated_at)
         VALUES ('ep_1', 'app_1', 'http://127.0.0.1:9/', '', 'standard', 'whsec_x', $1, $1)`,
        [at],
      );
      const messages = [newId('msg', at), newId('msg', at + DAY)];
      const deliveries = [newId('dlv', at), newId('dlv', at + DAY)];
      for (const [i, id] of messages.entries()) {
        await db.query(`INSERT INTO messages (id, app_id, type, payload, created_at) VALUES ($1, 'app_1', 't', '{}', $2)`, [
          id,
          at + i * DAY,
        ]);
        await db.query(
          `INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run,
             next_attempt_at, created_at, updated_at)
           VALUES ($1, 'app_1', $2, 'ep_1', $3, 1, 1, $4, $5, $5)`,
          [deliveries[i], id, i === 0 ? 'succeeded' : 'pending', i === 0 ? null : at, at + i * DAY],
        );
        await db.query(
          `INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms, request_headers)
           VALUES ($1, $2, 'ep_1', 1, $3, 5, '{}')`,
          [newId('atm', at + i * DAY), deliveries[i], at + i * DAY],
        );
      }
      await migrate(db);
      const { rows } = await db.query(
        "SELECT relname, relkind FROM pg_class WHERE relname IN ('messages', 'deliveries', 'attempts') AND relnamespace = current_schema()::regnamespace ORDER BY relname",
      );
      assert.deepEqual(
        rows.map((r) => `${r.relname} ${r.relkind}`),
        ['attempts p', 'deliveries r', 'messages p'],
        'deliveries, the queue, stay one table',
      );
      for (const id of messages) assert.equal(await partitionOf(db, 'messages', id), 'messages_legacy');
      assert.equal((await db.query('SELECT count(*)::int AS n FROM attempts')).rows[0].n, 2);
      // The queue reads them as before: the pending one is claimed, with its message.
      const store = await openStore(url, { poolSize: 2 });
      try {
        const claimed = await store.claimDueDeliveries(claimInput(Date.now()));
        assert.deepEqual(
          claimed.map((c) => [c.delivery.id, c.message.id]),
          [[deliveries[1], messages[1]]],
        );
        assert.equal((await store.findMessage('app_1', messages[0] as string))?.id, messages[0]);
        // Deleting the app still takes its history with it, through the keys kept.
        await db.query("DELETE FROM apps WHERE id = 'app_1'");
        const left = await db.query(
          '(SELECT count(*) FROM messages) UNION ALL (SELECT count(*) FROM deliveries) UNION ALL (SELECT count(*) FROM attempts)',
        );
        assert.deepEqual(
          left.rows.map((r) => Number(r.count)),
          [0, 0, 0],
        );
      } finally {
        await store.close();
      }
    } finally {
      await db.end();
    }
  });

  test('rows land in their day’s partition; a day not made yet goes to the default one and moves when it is made', async () => {
    const { store, db } = await fresh();
    try {
      const made = await store.maintainHistory({ now: SOON, cutoff: 0, daysAhead: 1 });
      assert.deepEqual(made.made.sort(), [
        partitionName('attempts', SOON),
        partitionName('attempts', SOON + DAY),
        partitionName('messages', SOON),
        partitionName('messages', SOON + DAY),
      ]);
      assert.deepEqual((await store.maintainHistory({ now: SOON, cutoff: 0, daysAhead: 1 })).made, [], 'made once');
      const app = await store.createApp(anApp());
      await store.createEndpoint(anEndpoint(app.id));
      const inDay = await publishAt(store, app.id, SOON + DAY + 1000);
      const beyond = await publishAt(store, app.id, SOON + 5 * DAY);
      assert.equal(await partitionOf(db, 'messages', inDay.id), partitionName('messages', SOON + DAY));
      assert.equal(await partitionOf(db, 'messages', beyond.id), 'messages_default');
      await store.maintainHistory({ now: SOON + 5 * DAY, cutoff: 0, daysAhead: 0 });
      assert.equal(await partitionOf(db, 'messages', beyond.id), partitionName('messages', SOON + 5 * DAY));
      assert.equal((await store.findMessage(app.id, beyond.id))?.id, beyond.id);
    } finally {
      await db.end();
      await store.close();
    }
  });

  test('retention drops whole days past the cutoff, keeps a day with a pending delivery until it is delivered', async () => {
    const { store, db } = await fresh();
    try {
      await store.maintainHistory({ now: SOON, cutoff: 0, daysAhead: 2 });
      const app = await store.createApp(anApp());
      const endpoint = await store.createEndpoint(anEndpoint(app.id));
      const delivered = await publishAt(store, app.id, SOON + 1000);
      const pending = await publishAt(store, app.id, SOON + DAY + 1000);
      const recent = await publishAt(store, app.id, SOON + 2 * DAY + 1000);
      // The first day's delivery succeeds; the second day's is still to be tried when retention comes.
      const first = await store.claimDueDeliveries(claimInput(SOON + 2000, 1));
      assert.equal(first[0]?.message.id, delivered.id);
      const succeed = async (item: NonNullable<(typeof first)[0]>, at: number) =>
        store.recordAttempt({
          attempt: anAttempt(item.delivery.id, { id: newId('atm', at), startedAt: at, responseStatus: 200 }),
          leaseToken: item.leaseToken,
          next: { status: 'succeeded' },
          now: at,
        });
      await succeed(first[0] as NonNullable<(typeof first)[0]>, SOON + 2000);
      const cutoff = SOON + 2 * DAY + 500; // inside the third day: that day straddles it
      const run = await store.maintainHistory({ now: SOON + 2 * DAY + 500, cutoff, daysAhead: 0 });
      // The legacy partitions, empty here, end before SOON: they go too.
      assert.deepEqual(run.dropped.sort(), [
        partitionName('attempts', SOON),
        partitionName('attempts', SOON + DAY),
        'attempts_legacy',
        partitionName('messages', SOON),
        'messages_legacy',
      ]);
      assert.deepEqual(run.kept, [partitionName('messages', SOON + DAY)]);
      // The dropped day's deliveries went with it; the kept day's stay.
      const left = await db.query('SELECT m.id FROM deliveries d LEFT JOIN messages m ON m.id = d.message_id ORDER BY d.id');
      assert.deepEqual(
        left.rows.map((r) => r.id),
        [pending.id, recent.id],
      );
      assert.equal(await store.findMessage(app.id, delivered.id), null);
      assert.equal((await store.findMessage(app.id, recent.id))?.id, recent.id);
      assert.deepEqual(await tablesNamed(db, 'messages_d2%'), [
        partitionName('messages', SOON + DAY),
        partitionName('messages', SOON + 2 * DAY),
      ]);
      // The kept day's delivery goes out with its payload, then the day goes at the next pass.
      const later = SOON + 2 * DAY + 1000;
      const second = await store.claimDueDeliveries({ ...claimInput(later, 10), inFlight: new Map() });
      assert.deepEqual(
        second.map((c) => c.message.id),
        [pending.id, recent.id],
      );
      assert.equal(second[0]?.message.payload, pending.payload);
      assert.equal(second[0]?.endpoint.id, endpoint.id);
      await succeed(second[0] as NonNullable<(typeof second)[0]>, later);
      const next = await store.maintainHistory({ now: later, cutoff, daysAhead: 0 });
      assert.deepEqual(next.dropped, [partitionName('messages', SOON + DAY)]);
      assert.deepEqual(next.kept, []);
      assert.equal(await store.findMessage(app.id, pending.id), null);
    } finally {
      await db.end();
      await store.close();
    }
  });

  test('two processes running retention at once: one runs, the other skips its pass', async () => {
    const url = await database.freshSchema();
    const [one, two] = await Promise.all([openStore(url, { poolSize: 2 }), openStore(url, { poolSize: 2 })]);
    const loop = (store: Store) =>
      new RetentionLoop({
        store,
        maxAgeMs: 30 * DAY,
        auditMaxAgeMs: 400 * DAY,
        intervalMs: 3_600_000,
        logger: pino({ level: 'silent' }),
        clock: () => SOON,
      });
    try {
      let inside: unknown = 'not run';
      const outer = await (one as Store).retentionExclusive(async () => {
        inside = await loop(two as Store).purge();
        return 'ran';
      });
      assert.equal(outer, 'ran');
      assert.equal(inside, null, 'the second process skipped while the first held the lock');
      // Once the first is done, the next pass anywhere runs (and made the coming days' partitions).
      assert.deepEqual(await loop(two as Store).purge(), { attempts: 0, messages: 0, recoveryRecords: 0 });
      const db = new pg.Pool({ connectionString: url, max: 1 });
      try {
        assert.ok((await tablesNamed(db, 'messages_d2%')).includes(partitionName('messages', SOON + 3 * DAY)));
      } finally {
        await db.end();
      }
    } finally {
      await Promise.all([one?.close(), two?.close()]);
    }
  });
  test('a user’s transaction crossing the partition maintenance’s locks is never the one that fails: the maintenance gives way', async () => {
    const { url, store, db } = await fresh();
    const user = new pg.Client({ connectionString: url });
    await user.connect();
    try {
      const app = await store.createApp(anApp());
      const endpoint = await store.createEndpoint(anEndpoint(app.id));
      // Deleting an endpoint locks endpoints, then each attempts partition; attaching a partition locks the default
      // partition, then what its foreign keys point at (endpoints): held open, the two orders meet.
      await user.query('BEGIN');
      await user.query('UPDATE endpoints SET updated_at = updated_at WHERE id = $1', [endpoint.id]);
      const maintaining = store.maintainHistory({ now: SOON + 20 * DAY, cutoff: 0, daysAhead: 0 }).then(
        () => 'made',
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await user.query('DELETE FROM attempts WHERE endpoint_id = $1', [endpoint.id]);
      await user.query('COMMIT');
      // Held for the maintenance's short lock bound, never until PostgreSQL's deadlock check (1 s) picks a victim.
      assert.ok(Date.now() - started < 800, `the user's statement waited ${Date.now() - started} ms`);
      assert.match(await maintaining, /lock timeout/);
      // The next pass makes what the first could not.
      const day = SOON + 20 * DAY;
      assert.deepEqual((await store.maintainHistory({ now: day, cutoff: 0, daysAhead: 0 })).made, [
        partitionName('attempts', day),
      ]);
    } finally {
      await user.end();
      await db.end();
      await store.close();
    }
  });
});
