/**
 * kill -9 while publishing and delivering: every message that was acknowledged with a 202
 * reaches the receiver after a restart. Duplicates are allowed (at least once) and reported.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { callApi, eventually } from './helpers/hookd.js';
import { freePort, killHard, spawnHookd, waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

const TOKEN = 'crash-test-token';

function startChild(dataDir: string, port: number): ChildProcess {
  return spawnHookd({ HOOKD_PORT: String(port), HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN });
}

test('every acknowledged message is delivered after kill -9 during publishing and delivery', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-crash-'));
  // A receiver that takes a little time, so deliveries are in flight when the process dies.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 20) }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = startChild(dataDir, port);
  t.after(async () => {
    await killHard(child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await waitReady(base);
  await callApi(base, TOKEN, 'POST', '/v1/apps', { uid: 'crash', name: 'Crash' });
  await callApi(base, TOKEN, 'POST', '/v1/apps/crash/endpoints', { url: receiver.url });

  const acknowledged = new Set<string>();
  let refused = 0;
  async function publishFor(ms: number): Promise<void> {
    const until = Date.now() + ms;
    const publisher = async () => {
      while (Date.now() < until) {
        try {
          const answer = await callApi(base, TOKEN, 'POST', '/v1/apps/crash/events', {
            type: 'crash.test',
            data: { n: acknowledged.size },
          });
          if (answer.status === 202) acknowledged.add(answer.body.id);
        } catch {
          refused++; // Not acknowledged: the process died before answering.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, publisher));
  }

  for (let round = 0; round < 3; round++) {
    const publishing = publishFor(1_500);
    await new Promise((resolve) => setTimeout(resolve, 400 + Math.floor(Math.random() * 600)));
    await killHard(child);
    await publishing;
    child = startChild(dataDir, port);
    await waitReady(base);
  }
  await publishFor(300);

  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return [...acknowledged].every((id) => seen.has(id)) ? true : undefined;
    },
    30_000,
    'every acknowledged message to arrive',
  );
  const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
  const lost = [...acknowledged].filter((id) => !seen.has(id));
  const duplicates = receiver.requests.length - seen.size;
  t.diagnostic(
    `acknowledged ${acknowledged.size}, received ${receiver.requests.length}, duplicates ${duplicates}, failed publishes ${refused}`,
  );
  assert.ok(acknowledged.size > 100, `only ${acknowledged.size} messages were acknowledged`);
  assert.deepEqual(lost, []);
});
