/**
 * Migration 12 splits the attempts' old `"code: detail"` text into `error_code` and `error_message`, on both stores:
 * every older code lands on one of the attempt error codes, and a non-2xx answer gets the code its status means.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isAttemptErrorCode } from '../../src/domain/index.js';
import { migrate as migratePostgres } from '../../src/store/postgres/migrations.js';
import { migrate as migrateSqlite } from '../../src/store/sqlite/migrations.js';
import { testDatabase } from '../helpers/postgres.js';

const BEFORE = 12;

/** What attempts held before the migration: [error, response status], and the code and message each must get. */
const ROWS: [string | null, number | null, string | null, string | null][] = [
  ['timeout: no complete response within 30000 ms', null, 'attempt_timeout', 'no complete response within 30000 ms'],
  [
    'connect_timeout: UND_ERR_CONNECT_TIMEOUT Connect Timeout Error',
    null,
    'connect_timeout',
    'UND_ERR_CONNECT_TIMEOUT Connect Timeout Error',
  ],
  [
    'address_refused: rebind.test resolves to a loopback address',
    null,
    'address_not_allowed',
    'rebind.test resolves to a loopback address',
  ],
  [
    'connection_refused: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9',
    null,
    'connection_refused',
    'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9',
  ],
  ['invalid_response: HPE_INVALID_CONSTANT Expected HTTP/', null, 'invalid_response', 'HPE_INVALID_CONSTANT Expected HTTP/'],
  ['timeout', null, 'attempt_timeout', 'timeout'],
  ['something_else: what', null, 'network_error', 'something_else: what'],
  [null, 500, 'http_status', 'HTTP 500'],
  [null, 302, 'redirect_not_followed', 'HTTP 302, not followed'],
  [null, 410, 'endpoint_gone', 'HTTP 410 Gone'],
  [null, 200, null, null],
];

function assertConverted(rows: { id: string; error_code: string | null; error_message: string | null }[]): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  ROWS.forEach(([error, status, code, message], i) => {
    const row = byId.get(`atm_${i}`);
    assert.deepEqual([row?.error_code, row?.error_message], [code, message], `${error ?? status}`);
    if (code !== null) assert.ok(isAttemptErrorCode(code), `${code} is in the list`);
  });
}

test('SQLite: old attempt errors become a code and a message, and the old column is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-migration-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const db = new Database(join(dir, 'old.db'));
  try {
    migrateSqlite(db, BEFORE);
    // Attempts alone are enough here: their delivery and endpoint rows do not matter to this migration.
    db.pragma('foreign_keys = OFF');
    const insert = db.prepare(`INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms,
      request_headers, response_status, response_body, error) VALUES (?, 'dlv_1', 'ep_1', 1, 0, 10, '{}', ?, NULL, ?)`);
    for (const [i, [error, status]] of ROWS.entries()) insert.run(`atm_${i}`, status, error);
    migrateSqlite(db);
    assertConverted(db.prepare('SELECT id, error_code, error_message FROM attempts').all() as never);
    const columns = (db.prepare('PRAGMA table_info(attempts)').all() as { name: string }[]).map((c) => c.name);
    assert.ok(!columns.includes('error'), columns.join(', '));
  } finally {
    db.close();
  }
});

test('PostgreSQL: old attempt errors become a code and a message, and the old column is gone', async (t) => {
  const database = await testDatabase(t);
  if (!database) return;
  const pool = new pg.Pool({ connectionString: await database.freshSchema(), max: 1 });
  try {
    await migratePostgres(pool, BEFORE);
    const client = await pool.connect();
    try {
      // Attempts alone are enough here: foreign keys are not checked in this session (the pool's only one, which
      // the migration then runs on too).
      await client.query('SET session_replication_role = replica');
      for (const [i, [error, status]] of ROWS.entries()) {
        await client.query(
          `INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms, request_headers,
            response_status, response_body, error) VALUES ($1, 'dlv_1', 'ep_1', 1, 0, 10, '{}', $2, NULL, $3)`,
          [`atm_${i}`, status, error],
        );
      }
    } finally {
      client.release();
    }
    // Up to this migration only: the rows above stand alone, and later ones keep attempts of existing endpoints only.
    await migratePostgres(pool, BEFORE + 1);
    assertConverted((await pool.query('SELECT id, error_code, error_message FROM attempts')).rows);
    const { rows } = await pool.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'attempts' AND table_schema = current_schema()",
    );
    assert.ok(!rows.some((r) => r.column_name === 'error'));
  } finally {
    await pool.end();
    await database.drop();
  }
});
