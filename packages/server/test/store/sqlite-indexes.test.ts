/**
 * Every index on deliveries and attempts costs each publish, claim and recorded attempt a write, so each must serve a
 * statement: the SQLite store's statements are collected as it prepares them, and each index must appear in the
 * query plan of one of them. (SQLite plans without statistics, so an index the planner passes over is dead weight.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

/** The SQL of every statement the store prepares when it opens (the hot paths all prepare theirs up front). */
async function statementsOfTheStore(path: string): Promise<string[]> {
  const seen = new Set<string>();
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function collecting(this: Database.Database, sql: string) {
    seen.add(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    const store = openSqliteStore(path);
    await store.close();
  } finally {
    Database.prototype.prepare = prepare;
  }
  return [...seen].filter((sql) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql));
}

/** The indexes a statement's plan uses, every parameter bound to NULL. */
function indexesIn(db: Database.Database, sql: string): string[] {
  const names = [...new Set([...sql.matchAll(/[@$:](\w+)/g)].map((m) => m[1] as string))];
  const explain = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`);
  const rows =
    names.length > 0
      ? explain.all(Object.fromEntries(names.map((name) => [name, null])))
      : explain.all(...Array.from(sql.matchAll(/\?/g), () => null));
  return rows.flatMap((row) => [...row.detail.matchAll(/INDEX (\w+)/g)].map((m) => m[1] as string));
}

test('every index on deliveries and attempts is in the plan of a statement the SQLite store runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-indexes-'));
  try {
    const path = join(dir, 'hookd.db');
    const statements = await statementsOfTheStore(path);
    const db = new Database(path);
    try {
      const used = new Set(statements.flatMap((sql) => indexesIn(db, sql)));
      const indexes = db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('deliveries', 'attempts') AND sql IS NOT NULL",
        )
        .all()
        .map((row) => row.name);
      assert.ok(indexes.length >= 10, `found only ${indexes.join(', ')}`);
      assert.deepEqual(
        indexes.filter((name) => !used.has(name)),
        [],
        'indexes that no statement of the store uses',
      );
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
