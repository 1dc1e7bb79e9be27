/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever commit crosses the
 * threshold, copying pages into the database file and syncing it while the event loop waits: the largest stall a
 * publish or an attempt record saw. Here a worker thread with its own connection checkpoints every few milliseconds
 * without blocking writers, and the next commit after a complete one starts the WAL over, so it stays small.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const INTERVAL_MS = 50;
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1000;

// Plain JavaScript, run as the worker's script: nothing to build or load beside it.
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
function checkpoint() {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A full disk or a busy lock: the writer's commits report trouble; the next round tries again.
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** A last checkpoint, then the thread ends. */
  stop(): Promise<void>;
}

/**
 * Turns `db`'s automatic checkpoints off and checkpoints its file, `path`, on a thread instead; if the thread dies,
 * the automatic ones come back.
 */
export function startCheckpointer(db: Database.Database, path: string): Checkpointer {
  db.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { path, driver, intervalMs: INTERVAL_MS } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_CHECKPOINT_PAGES}`);
  });
  return {
    async stop() {
      // Held open until the thread is done, or nothing would wait for it.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
