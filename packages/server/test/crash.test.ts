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
import { killHard, spawnHookd, spawnServing, waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

const TOKEN = 'crash-test-token-0123456789abcdefghij';

/** The first start takes port 0; a restart takes the port the first got, where the publishers keep knocking. */
function startChild(dataDir: string, port: string): ChildProcess {
  return spawnHookd({ HOOKD_PORT: port, HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN });
}

test('every acknowledged message is delivered after kill -9 during publishing and delivery', { timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-crash-'));
  // A receiver that takes a little time, so deliveries are in flight when the process dies.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 20) }));
  let child: ChildProcess | null = null;
  t.after(async () => {
    if (child) await killHard(child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await spawnServing({ HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN });
  child = first.child;
  const { base } = first;
  const port = new URL(base).port;
  await waitReady(base);
  await callApi(base, TOKEN, 'POST', '/v1/apps', { uid: 'crash', name: 'Crash' });
  await callApi(base, TOKEN, 'POST', '/v1/apps/crash/endpoints', { url: receiver.url });

  const acknowledged = new Set<string>();
  let refused = 0;
  /** Publishes from 8 loops until `stop()` says so; a publish the dying process never answered is not acknowledged. */
  async function publishUntil(stop: () => boolean): Promise<void> {
    const publisher = async () => {
      while (!stop()) {
        try {
          const answer = await callApi(base, TOKEN, 'POST', '/v1/apps/crash/events', {
            type: 'crash.test',
            data: { n: acknowledged.size },
          });
          if (answer.status === 202) acknowledged.add(answer.body.id);
        } catch {
          refused++; // Not acknowledged: the process died before answering.
          // A pace for knocking on a dead server, not a wait for a condition.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, publisher));
  }

  // Each round kills the server once it has acknowledged 100 more messages, plus a random moment, so
  // publishes and deliveries are in flight at the kill however fast or slow the machine is.
  for (let round = 0; round < 3; round++) {
    const target = acknowledged.size + 100;
    let killedAt = 0;
    const publishing = publishUntil(() => killedAt > 0 && Date.now() > killedAt + 200);
    await eventually(() => (acknowledged.size >= target ? true : undefined), 60_000, `${target} acknowledged messages`);
    // Not a wait for anything: the kill lands at a random moment on purpose.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
    await killHard(child);
    killedAt = Date.now();
    await publishing;
    child = startChild(dataDir, port);
    await waitReady(base);
  }
  const lastTarget = acknowledged.size + 20;
  await publishUntil(() => acknowledged.size >= lastTarget);

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
  assert.ok(acknowledged.size >= 320, `only ${acknowledged.size} messages were acknowledged`);
  assert.deepEqual(lost, []);
});
