import type { SqliteDatabase } from '../../sqlite-driver.js';

/**
 * Runs `work` in a write transaction taken up front (BEGIN IMMEDIATE), so two processes never both read
 * and then race to write. better-sqlite3 is synchronous, so nothing else on this connection can interleave.
 */
export function inImmediateTransaction<T>(db: SqliteDatabase, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite already rolled back (some errors end the transaction themselves); the first error is the one to report.
    }
    throw error;
  }
}
