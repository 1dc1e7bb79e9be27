/**
 * The few better-sqlite3 methods the SDK uses, typed structurally so the SDK has no dependency on it,
 * and the loader used when the caller gives a file path instead of an open database.
 */

export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A better-sqlite3 `Database`, or anything with the same synchronous methods. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  close(): unknown;
}

/** Stable code for a driver the caller asked for but did not install. */
export class MissingDriverError extends Error {
  override readonly name = 'MissingDriverError';
  readonly code = 'driver_missing';
  constructor(
    readonly driver: string,
    options?: { cause?: unknown },
  ) {
    super(`the optional peer dependency "${driver}" is not installed; run \`npm install ${driver}\``, options);
  }
}

type SqliteConstructor = new (path: string) => SqliteDatabase;

/** Opens a SQLite file with better-sqlite3, loaded only now so users who never ask for it need not install it. */
export async function openSqliteFile(path: string): Promise<SqliteDatabase> {
  let module: { default: SqliteConstructor };
  try {
    // A variable specifier keeps bundlers and the type checker from requiring the package at build time.
    const name = 'better-sqlite3';
    module = (await import(name)) as { default: SqliteConstructor };
  } catch (error) {
    if (isModuleNotFound(error)) throw new MissingDriverError('better-sqlite3', { cause: error });
    throw error;
  }
  return new module.default(path);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** WAL lets readers and one writer work at once; busy_timeout makes writers from other processes wait, not fail. */
export function applyConcurrencyPragmas(db: SqliteDatabase, busyTimeoutMs: number): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
}
