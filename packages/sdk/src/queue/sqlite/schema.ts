/**
 * The queue's two tables. A job's `run_at` is when it may next be claimed; claiming pushes it to the lease's end,
 * so a job whose process died becomes due again by itself when the lease runs out.
 */
import type { SqliteDatabase } from '../../sqlite-driver.js';
import { inImmediateTransaction } from './transaction.js';

export const JOBS_TABLE = 'hookd_queue_jobs';
export const DEAD_LETTERS_TABLE = 'hookd_queue_dead_letters';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${JOBS_TABLE} (
  seq INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL UNIQUE,
  webhook_id TEXT NOT NULL,
  type TEXT,
  body TEXT NOT NULL,
  headers TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  lease_id TEXT,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS ${JOBS_TABLE}_due ON ${JOBS_TABLE} (run_at, seq);
CREATE TABLE IF NOT EXISTS ${DEAD_LETTERS_TABLE} (
  job_id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL,
  type TEXT,
  body TEXT NOT NULL,
  headers TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${DEAD_LETTERS_TABLE}_failed ON ${DEAD_LETTERS_TABLE} (failed_at, job_id);
`;

/** Safe to run from several processes at once: the write lock serializes them and every statement is IF NOT EXISTS. */
export function createQueueSchema(db: SqliteDatabase): void {
  inImmediateTransaction(db, () => db.exec(SCHEMA));
}
