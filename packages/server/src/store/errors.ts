/** Store failures a caller can act on, whichever database is behind the Store. */

export class StoreConflictError extends Error {
  constructor(readonly field: string) {
    super(`${field} is already taken`);
  }
}

/** The app has as many endpoints as it may have: the write was refused, nothing changed. */
export class StoreLimitError extends Error {
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {
    super(`the app has ${limit} ${what} already, the most it may have`);
  }
}

/** A store call that gave up waiting for the database to answer. */
export class StoreTimeoutError extends Error {
  readonly code = 'HOOKD_STORE_TIMEOUT';
  constructor(operation: string, ms: number) {
    super(`${operation}: the database did not answer within ${ms} ms`);
  }
}

const SQLITE_UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'];

/** Node's codes for a database host that cannot be reached or dropped the connection. */
const NETWORK_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), class 53 (insufficient resources: disk full,
 * out of memory, too many connections), and 57P01–57P03 (the server is shutting down or starting).
 */
const SQLSTATE_UNAVAILABLE = /^(08|53)[0-9A-Z]{3}$|^57P0[123]$/;

/**
 * node-postgres reports some failures with no code at all, only a message: a connection that ended
 * under a query, a connect that timed out, a pool that waited too long for a free connection.
 */
const PG_UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/** True when the database's disk is full (SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full): a 503 of its own. */
export function isStoreFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_FULL') || code === '53100');
}

/** True when the database could not take the call (down, full, locked): worth a 503 and a retry, not a 500. */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (error instanceof StoreTimeoutError) return true;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.some((c) => code.startsWith(c))) return true;
    if (NETWORK_UNAVAILABLE.has(code) || SQLSTATE_UNAVAILABLE.test(code)) return true;
  }
  if (typeof message === 'string' && PG_UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return true;
  // Connecting to a name with several addresses fails with one error per address, gathered in an AggregateError.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isStoreUnavailable);
}

/** A reason `hookd migrate-store` does not copy: the source is served, the target not empty, the key wrong. */
export class CopyRefusedError extends Error {}

/** A write naming a row that is not there (deleted meanwhile): SQLite's foreign key failure, PostgreSQL's 23503. */
export function isMissingReference(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
