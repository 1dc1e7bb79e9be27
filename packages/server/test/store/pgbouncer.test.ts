/**
 * The PostgreSQL store's contracts once more, behind Debian's pgbouncer in transaction mode: every query of the pool
 * goes through it, LISTEN goes straight to PostgreSQL (HOOKD_DATABASE_LISTEN_URL). Needs the pgbouncer binary: the
 * test is skipped without it, except under CI, which installs it, where it fails.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { PGBOUNCER_MISSING, pgbouncerInstalled, startPgbouncer } from '../helpers/pgbouncer.js';
import { createTestDatabase, POSTGRES_UNREACHABLE, reachPostgres } from '../helpers/postgres.js';
import { publishAt, seedApp, T0 } from './fixtures.js';
import { ROLE_CONTRACTS } from './roles.js';

/** More than the contracts open stores: each store gets a schema, and each schema a pgbouncer database. */
const SCHEMAS = 300;

const adminUrl = await reachPostgres();
const missing = adminUrl === null ? POSTGRES_UNREACHABLE : pgbouncerInstalled() ? null : PGBOUNCER_MISSING;
if (missing !== null) {
  if (process.env.CI === 'true')
    test('pgbouncer and PostgreSQL are there for the contracts behind pgbouncer', () => assert.fail(missing));
  else test('store contracts behind pgbouncer', { skip: missing }, () => {});
} else {
  const database = await createTestDatabase(adminUrl as string);
  const bouncer = await startPgbouncer(
    database.url,
    Array.from({ length: SCHEMAS }, (_, i) => `store_${i}`),
  );
  after(async () => {
    await bouncer.stop(); // its server connections end with it, so the database can go
    await database.drop();
  });
  /** Where a fresh schema is: directly, and through pgbouncer. */
  const freshSchema = async () => {
    const direct = await database.freshSchema();
    const schema = /search_path=(store_\d+)/.exec(new URL(direct).searchParams.get('options') ?? '')?.[1];
    assert.ok(schema, `a schema name in ${direct}`);
    return { direct, pooled: bouncer.url(schema) };
  };
  /** A store on a fresh schema: the pool through pgbouncer, LISTEN on a direct connection. */
  const open = async () => {
    const { direct, pooled } = await freshSchema();
    return openStore(pooled, { poolSize: 3, listenUrl: direct });
  };
  test('a publish through pgbouncer wakes a listener on the direct connection of another process', {
    timeout: 10_000,
  }, async () => {
    const { direct, pooled } = await freshSchema();
    const api = await openStore(pooled, { poolSize: 3, listenUrl: direct });
    const worker = await openStore(pooled, { poolSize: 3, listenUrl: direct });
    try {
      const { app } = await seedApp(api);
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const stop = await worker.watchDue(() => wake());
      try {
        const started = performance.now();
        await publishAt(api, app.id, T0);
        await woken;
        assert.ok(performance.now() - started < 2_000, 'woken within 2 s, not by polling');
      } finally {
        await stop();
      }
    } finally {
      await api.close();
      await worker.close();
    }
  });
  // Why hookd's queries stay unnamed: pgbouncer before 1.21 (Debian 12 ships 1.18) does not follow named prepared
  // statements across the server connections a transaction-mode pool hands out.
  test('behind this pgbouncer, named prepared statements fail and the unnamed ones hookd sends do not', async (t) => {
    const { pooled } = await freshSchema();
    const failures = async (named: boolean) => {
      const pool = new pg.Pool({ connectionString: pooled, max: 8 });
      let failed = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 250; i++) {
            const query = { text: 'SELECT $1::int + 1 AS n', values: [i] };
            await pool.query(named ? { ...query, name: `q${i % 5}` } : query).catch(() => failed++);
          }
        }),
      );
      await pool.end();
      return failed;
    };
    const unnamed = await failures(false);
    const named = await failures(true);
    t.diagnostic(`of 2,000 queries from 8 clients: unnamed ${unnamed} failed, named ${named} failed`);
    assert.equal(unnamed, 0);
    assert.ok(named > 0, 'named statements fail behind a transaction-mode pgbouncer without max_prepared_statements');
  });
  for (const [role, contracts] of Object.entries(ROLE_CONTRACTS)) {
    describe(`behind pgbouncer (transaction mode): ${role}`, () => contracts(open));
  }
}
