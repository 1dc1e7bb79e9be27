/**
 * An idempotency store in one SQLite table (better-sqlite3): shared by every process on the machine, kept across restarts.
 * A claim is one upsert that only takes over a row whose time is up, so two claims can never both win.
 */
import { openSqliteFile, type SqliteDatabase } from '../sqlite-driver.js';
import { tableName } from './table-name.js';
import { assertTtl } from './ttl.js';
import type { IdempotencyStore } from './types.js';

export interface SqliteIdempotencyCommonOptions {
  /** Default `hookd_idempotency`. */
  table?: string;
  /** Unix milliseconds; injected in tests. */
  clock?: () => number;
}

/** Either a file path (better-sqlite3 is loaded then, and `close()` closes it) or an open Database, left open by `close()`. */
export type SqliteIdempotencyOptions = SqliteIdempotencyCommonOptions &
  ({ path: string; db?: never } | { db: SqliteDatabase; path?: never });

/** Expired rows are deleted every this many claims, so the table holds about one TTL's worth of keys. */
const PRUNE_EVERY = 1_000;

export function sqliteIdempotencyStore(options: SqliteIdempotencyOptions): IdempotencyStore {
  const table = tableName(options.table ?? 'hookd_idempotency');
  const clock = options.clock ?? Date.now;
  const ready = open();
  ready.catch(() => {}); // reported by the first claim; never an unhandled rejection
  let claims = 0;

  async function open() {
    const db = options.db ?? (await openSqliteFile(options.path as string));
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID`);
    return {
      db,
      claim: db.prepare(
        `INSERT INTO ${table} (key, expires_at) VALUES (@key, @expires_at)
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE expires_at <= @now`,
      ),
      release: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
      prune: db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`),
    };
  }

  return {
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      const statements = await ready;
      const now = clock();
      const won = statements.claim.run({ key, expires_at: now + ttlMs, now }).changes === 1;
      if (++claims % PRUNE_EVERY === 0) statements.prune.run(now);
      return won;
    },
    async release(key) {
      (await ready).release.run(key);
    },
    async close() {
      const statements = await ready.catch(() => null);
      if (statements && options.db === undefined) statements.db.close();
    },
  };
}
