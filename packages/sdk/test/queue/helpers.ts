/** Shared bits of the queue tests: temp files, a hand-moved clock, waiting for a condition. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import type { ReceivedWebhook } from '../../src/queue/types.js';
import { sleep } from '../support.js';

export function tempDir(): { file(name: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-sdk-queue-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return { file: (name) => join(dir, `${n++}-${name}`) };
}

export function webhook(id: string, extra: Partial<ReceivedWebhook> = {}): ReceivedWebhook {
  return {
    id,
    type: 'order.created',
    body: JSON.stringify({ type: 'order.created', data: { id } }),
    headers: { 'webhook-id': id, 'content-type': 'application/json' },
    receivedAt: Date.parse('2026-01-01T00:00:00Z'),
    ...extra,
  };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Reads the queue's tables through a second connection, as another process would see them. */
export function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export const countJobs = (path: string) =>
  inspect(path, (db) => (db.prepare('SELECT COUNT(*) AS n FROM hookd_queue_jobs').get() as { n: number }).n);
