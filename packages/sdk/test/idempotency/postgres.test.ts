/**
 * Runs the contract against a real PostgreSQL at 127.0.0.1:5432. Every run creates its own schema and drops it after.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { postgresIdempotencyStore } from '../../src/idempotency/postgres.js';
import { sleep } from '../support.js';
import { idempotencyContract, unavailable } from './contract.js';

const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `hookd_sdk_test_${randomBytes(6).toString('hex')}`;

async function connect(): Promise<pg.Pool | string> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000, max: 10 });
  try {
    await pool.query(`CREATE SCHEMA ${schema}`);
    return pool;
  } catch (error) {
    await pool.end();
    return unavailable(`PostgreSQL at ${DATABASE_URL}`, error);
  }
}

const connected = await connect();
const pool = typeof connected === 'string' ? null : connected;
const skip = typeof connected === 'string' ? connected : false;
after(async () => {
  if (!pool) return;
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
});

let n = 0;
idempotencyContract(
  'PostgreSQL',
  async () => {
    const store = postgresIdempotencyStore({ pool: pool!, table: `${schema}.idempotency_${n++}` });
    return { store, passTime: sleep, close: async () => store.close?.() };
  },
  skip ? { skip } : {},
);

test('several processes creating the table at once all succeed and share claims', { skip }, async () => {
  // One pool each stands for one process: separate connections race through CREATE TABLE IF NOT EXISTS.
  const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: DATABASE_URL, max: 2 }));
  try {
    const table = `${schema}.raced`;
    const stores = pools.map((p) => postgresIdempotencyStore({ pool: p, table }));
    const results = await Promise.all(stores.map((store) => store.claim('dlv_race', 60_000)));
    assert.equal(results.filter(Boolean).length, 1);
    const { rows } = await pool!.query(`SELECT key FROM ${table}`);
    assert.deepEqual(rows, [{ key: 'dlv_race' }]);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('expiry follows the database clock in a timestamptz column', { skip }, async () => {
  const table = `${schema}.expiry`;
  const store = postgresIdempotencyStore({ pool: pool!, table });
  assert.equal(await store.claim('dlv_1', 60_000), true);
  const { rows } = await pool!.query<{ seconds: number }>(
    `SELECT extract(epoch FROM expires_at - clock_timestamp())::float8 AS seconds FROM ${table} WHERE key = 'dlv_1'`,
  );
  const seconds = rows[0]?.seconds ?? 0;
  assert.ok(seconds > 55 && seconds <= 60, `expires in ${seconds}s, expected about 60`);
});

test('a table name that is not a plain identifier is refused', () => {
  assert.throws(
    () => postgresIdempotencyStore({ pool: { query: async () => ({ rowCount: 0 }) }, table: 'x"; DROP' }),
    RangeError,
  );
});
