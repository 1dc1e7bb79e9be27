import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

/** Opens the store a database URL names: `sqlite:<path>` (or a bare path) for the embedded store. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    throw new Error('PostgreSQL is not supported by this build yet; use sqlite:<path>');
  }
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : databaseUrl;
  return openSqliteStore(path);
}
