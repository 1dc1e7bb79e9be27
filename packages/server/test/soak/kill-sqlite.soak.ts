/**
 * Soak: `kill -9` of a SQLite hookd at random moments during a 20,000-message run (HOOKD_SOAK_MESSAGES), several
 * times (HOOKD_SOAK_KILLS). Zero acknowledged messages lost; duplicates counted and reported.
 * The bounded version in `npm test` is crash.test.ts (three kills, a few hundred messages).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { callApi, eventually } from '../helpers/hookd.js';
import { freePort, killHard, spawnHookd, waitReady } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receiver.js';

const TOKEN = 'soak-token-0123456789abcdefghijklmnopq';
const MESSAGES = Number(process.env.HOOKD_SOAK_MESSAGES ?? 20_000);
const KILLS = Number(process.env.HOOKD_SOAK_KILLS ?? 5);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`kill -9 of a SQLite hookd ${KILLS} times at random moments during ${MESSAGES} messages loses nothing acknowledged`, {
  timeout: 1_800_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-soak-'));
  const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 20) }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = (): ChildProcess => spawnHookd({ HOOKD_PORT: String(port), HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN });
  let child = start();
  t.after(async () => {
    await killHard(child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await waitReady(base);
  await callApi(base, TOKEN, 'POST', '/v1/apps', { uid: 'soak', name: 'Soak' });
  await callApi(base, TOKEN, 'POST', '/v1/apps/soak/endpoints', { url: receiver.url });

  const started = Date.now();
  const acknowledged = new Set<string>();
  let unanswered = 0;
  let next = 0;
  let done = false;
  // 8 publishers. A publish the dying process never answered is sent again with the same Idempotency-Key until
  // it is acknowledged, as a careful sender would: all of them end acknowledged, each exactly once.
  const publisher = async () => {
    while (next < MESSAGES) {
      const n = next++;
      for (;;) {
        try {
          const answer = await callApi(
            base,
            TOKEN,
            'POST',
            '/v1/apps/soak/events',
            { type: 'soak.test', data: { n } },
            { 'idempotency-key': `soak-${n}` },
          );
          if (answer.status === 202) {
            acknowledged.add(answer.body.id);
            break;
          }
        } catch {
          // not answered: the process is down
        }
        unanswered++;
        await sleep(20);
      }
    }
  };
  const publishing = Promise.all(Array.from({ length: 8 }, publisher)).then(() => {
    done = true;
  });
  // Kills spread over the run at random moments, each followed by a restart.
  for (let kill = 0; kill < KILLS && !done; kill++) {
    const target = Math.floor(((kill + 1) * MESSAGES) / (KILLS + 1)) + Math.floor((Math.random() - 0.5) * 400);
    await eventually(() => (next >= target || done ? true : undefined), 600_000, `publish #${target}`);
    await sleep(Math.floor(Math.random() * 500));
    await killHard(child);
    t.diagnostic(`kill ${kill + 1} after ${acknowledged.size} acknowledged, ${receiver.requests.length} received`);
    child = start();
    await waitReady(base);
  }
  await publishing;
  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return [...acknowledged].every((id) => seen.has(id)) ? true : undefined;
    },
    600_000,
    `all ${acknowledged.size} acknowledged messages to arrive`,
  );
  const ids = receiver.requests.map((r) => r.headers['webhook-id'] as string);
  const seen = new Set(ids);
  const lost = [...acknowledged].filter((id) => !seen.has(id));
  assert.equal(acknowledged.size, MESSAGES, 'every publish ends acknowledged, once (Idempotency-Key across restarts)');
  t.diagnostic(
    `${MESSAGES} publishes, ${acknowledged.size} acknowledged, ${unanswered} unanswered tries around kills; received ${ids.length}, ` +
      `duplicates ${ids.length - seen.size}, lost ${lost.length}, in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  assert.deepEqual(lost, []);
});
