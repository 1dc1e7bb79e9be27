import type { CopyOptions, TableCopied } from './copy-to-postgres.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Most connections a PostgreSQL store keeps open; SQLite has one. */
  poolSize?: number;
  /** PostgreSQL: where the LISTEN connection goes, when the pool's URL leads through a transaction-mode pooler. */
  listenUrl?: string;
}

/** PostgreSQL: a database several hookd processes may serve at once, unlike a SQLite file. */
export function isSharedDatabase(databaseUrl: string): boolean {
  return databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://');
}

/**
 * Opens the store a database URL names: `postgres://…`, or `sqlite:<path>` (or a bare path) for the embedded store.
 * Only the store asked for is loaded, with its driver: a SQLite process never loads pg, nor PostgreSQL better-sqlite3.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isSharedDatabase(databaseUrl)) {
    const { openPostgresStore } = await import('./postgres/index.js');
    return openPostgresStore(databaseUrl, options);
  }
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  const { openSqliteStore } = await import('./sqlite/index.js');
  return openSqliteStore(path);
}

/**
 * Copies a stopped hookd's SQLite file into an empty PostgreSQL database (see copy-to-postgres.ts); loads both drivers
 * only when called.
 */
export async function copySqliteToPostgres(from: string, to: string, options: CopyOptions): Promise<TableCopied[]> {
  const copy = await import('./copy-to-postgres.js');
  return copy.copySqliteToPostgres(from, to, options);
}
