import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Most connections a PostgreSQL store keeps open; SQLite has one. */
  poolSize?: number;
}

/** Opens the store a database URL names: `postgres://…`, or `sqlite:<path>` (or a bare path) for the embedded store. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return openPostgresStore(databaseUrl, options);
  }
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  return openSqliteStore(path);
}
