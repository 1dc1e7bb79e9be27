/** What only the SQLite store has to get right: its WAL kept small by checkpoints. The contract is in the role files. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { newId } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { anApp, anEndpoint, T0 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('checkpoints run off the event loop and keep the WAL small while publishes stream in', async () => {
  const path = join(dir, 'wal.db');
  const store = await openStore(`sqlite:${path}`);
  try {
    const app = await store.createApp(anApp());
    await store.createEndpoint(anEndpoint(app.id));
    const payload = JSON.stringify({ type: 'a.b', data: { text: 'x'.repeat(1024) } });
    const messages = 4000;
    for (let i = 0; i < messages; i++) {
      await store.publishMessage({
        message: { id: newId('msg', T0 + i), appId: app.id, type: 'a.b', payload, idempotencyKey: null, createdAt: T0 },
        idempotencyWindowMs: 0,
      });
      // Time for the checkpoint thread, as a server's event loop gives it between requests.
      if (i % 200 === 199) await new Promise((resolve) => setTimeout(resolve, 60));
    }
    // Each publish here commits alone, a dozen pages (the message, its delivery, their indexes): without checkpoints
    // the WAL would hold all of them, some 190 MB; restarted after each checkpoint, it stays near one interval's worth.
    const walBytes = statSync(`${path}-wal`).size;
    assert.ok(walBytes < 64 * 1024 * 1024, `WAL of ${walBytes} bytes after ${messages} publishes`);
  } finally {
    await store.close();
  }
});
