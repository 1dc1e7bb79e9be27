/**
 * An idempotency store in PostgreSQL, for receivers on several hosts that already run it.
 * A claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE expired RETURNING`: the row lock makes concurrent claims
 * of one key queue up, and only the first finds the key free. Times come from the database's clock, shared by all hosts.
 */
import { tableName } from './table-name.js';
import { assertTtl } from './ttl.js';
import type { IdempotencyStore } from './types.js';

/** The one pg call used; a pg `Pool` (or `Client`) fits. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }>;
}

export interface PostgresIdempotencyOptions {
  /** Owned by the caller, who also ends it: `close()` leaves it open. */
  pool: PostgresQueryable;
  /** `table` or `schema.table`; created on first use. Default `hookd_idempotency`. */
  table?: string;
}

/** Expired rows are deleted every this many claims (per process), so the table holds about one TTL's worth of keys. */
const PRUNE_EVERY = 1_000;

export function postgresIdempotencyStore(options: PostgresIdempotencyOptions): IdempotencyStore {
  const { pool } = options;
  const rawName = options.table ?? 'hookd_idempotency';
  const table = tableName(rawName);
  let created: Promise<void> | null = null;
  let claims = 0;

  function ensureTable(): Promise<void> {
    // Two processes creating one table at once can collide in the catalog even with IF NOT EXISTS;
    // a transaction-scoped advisory lock (one DO statement is one transaction) makes them take turns.
    created ??= pool
      .query(
        `DO $$ BEGIN
           PERFORM pg_advisory_xact_lock(hashtext('hookd_idempotency_table:' || ${literal(rawName)}));
           CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, expires_at timestamptz NOT NULL);
         END $$`,
      )
      .then(() => undefined);
    created.catch(() => {
      created = null; // try again on the next claim
    });
    return created;
  }

  return {
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      await ensureTable();
      const result = await pool.query(
        `INSERT INTO ${table} AS held (key, expires_at) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE held.expires_at <= clock_timestamp()
         RETURNING key`,
        [key, ttlMs],
      );
      if (++claims % PRUNE_EVERY === 0) await pool.query(`DELETE FROM ${table} WHERE expires_at <= clock_timestamp()`);
      return result.rowCount === 1;
    },
    async release(key) {
      await ensureTable();
      await pool.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
    },
  };
}

/** The name is already checked to be a plain identifier, so quoting it as a literal is enough. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
