import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteIdempotencyStore } from '../../src/idempotency/sqlite.js';
import { manualClock } from '../support.js';
import { idempotencyContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'hookd-sdk-idempotency-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

idempotencyContract('SQLite (by path)', async () => {
  const clock = manualClock();
  const store = sqliteIdempotencyStore({ path: join(dir, `path-${n++}.db`), clock: clock.now });
  return { store, passTime: async (ms) => clock.advance(ms), close: async () => store.close?.() };
});

idempotencyContract('SQLite (open database)', async () => {
  const clock = manualClock();
  const db = new Database(join(dir, `db-${n++}.db`));
  const store = sqliteIdempotencyStore({ db, clock: clock.now });
  return {
    store,
    passTime: async (ms) => clock.advance(ms),
    close: async () => {
      await store.close?.();
      assert.equal(db.open, true, 'close() leaves a database it was given open');
      db.close();
    },
  };
});

test('two connections to one SQLite file share claims', async () => {
  const path = join(dir, `shared-${n++}.db`);
  const first = sqliteIdempotencyStore({ path });
  const second = sqliteIdempotencyStore({ path });
  try {
    assert.equal(await first.claim('dlv_1', 60_000), true);
    assert.equal(await second.claim('dlv_1', 60_000), false);
    await second.release('dlv_1');
    assert.equal(await first.claim('dlv_1', 60_000), true);
  } finally {
    await first.close?.();
    await second.close?.();
  }
});

test('claims survive reopening the file', async () => {
  const path = join(dir, `reopen-${n++}.db`);
  const before = sqliteIdempotencyStore({ path });
  assert.equal(await before.claim('dlv_1', 60_000), true);
  await before.close?.();
  const afterReopen = sqliteIdempotencyStore({ path });
  try {
    assert.equal(await afterReopen.claim('dlv_1', 60_000), false);
  } finally {
    await afterReopen.close?.();
  }
});

test('expired keys are pruned as claims go on, so the table stays about one TTL big', async () => {
  const clock = manualClock();
  const db = new Database(join(dir, `prune-${n++}.db`));
  const store = sqliteIdempotencyStore({ db, clock: clock.now });
  const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM hookd_idempotency').get() as { n: number }).n;
  try {
    for (let i = 0; i < 999; i++) await store.claim(`old_${i}`, 10);
    assert.equal(rows(), 999);
    clock.advance(20);
    for (let i = 0; i < 1_000; i++) await store.claim(`new_${i}`, 60_000); // the 1000th claim prunes
    assert.equal(rows(), 1_000, 'only the live keys are left');
  } finally {
    await store.close?.();
    db.close();
  }
});

test('a table name that is not a plain identifier is refused', () => {
  assert.throws(() => sqliteIdempotencyStore({ path: join(dir, 'x.db'), table: 'a; DROP TABLE b' }), RangeError);
});
