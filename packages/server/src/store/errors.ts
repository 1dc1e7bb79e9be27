/** Store failures a caller can act on, whichever database is behind the Store. */

export class StoreConflictError extends Error {
  constructor(readonly field: string) {
    super(`${field} is already taken`);
  }
}

const SQLITE_UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'];

/** True when the database could not take the call (down, full, locked): worth a 503 and a retry, not a 500. */
export function isStoreUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return SQLITE_UNAVAILABLE.some((c) => code.startsWith(c));
}
