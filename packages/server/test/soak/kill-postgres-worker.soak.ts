/**
 * Soak: PostgreSQL with two API and three worker processes; a random worker is killed with SIGKILL at random
 * moments of a 20,000-message run (HOOKD_SOAK_MESSAGES), several times (HOOKD_SOAK_KILLS), and a fresh worker
 * takes its place. Zero acknowledged messages lost; duplicates counted and reported.
 * The bounded version in `npm test` is scale-out-faults.solo.test.ts (a worker, an API process and PostgreSQL killed mid-run).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { CLUSTER_TOKEN, startCluster } from '../helpers/cluster.js';
import { callApi, eventually } from '../helpers/hookd.js';
import { testDatabase } from '../helpers/postgres.js';
import { killHard, spawnHookd } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receiver.js';

const MESSAGES = Number(process.env.HOOKD_SOAK_MESSAGES ?? 20_000);
const KILLS = Number(process.env.HOOKD_SOAK_KILLS ?? 5);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`SIGKILL of a PostgreSQL worker ${KILLS} times during ${MESSAGES} messages loses nothing acknowledged`, {
  timeout: 1_800_000,
}, async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 5 + Math.floor(Math.random() * 20) }));
  const cluster = await startCluster(db.url, { apis: 2, workers: 3 });
  const replacements: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(replacements.map(killHard));
    await cluster.close();
    await receiver.close();
    await db.drop();
  });
  const api = cluster.apis[0]?.base as string;
  await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps', { uid: 'soak', name: 'Soak' });
  await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps/soak/endpoints', { url: receiver.url });

  const started = Date.now();
  const acknowledged: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < MESSAGES) {
      const n = next++;
      const id = await cluster.publish(n, 'soak', 'soak.test', { n });
      if (id) acknowledged.push(id);
    }
  };
  const publishing = Promise.all(Array.from({ length: 16 }, loop));
  const live: ChildProcess[] = cluster.workers.map((w) => w.child);
  for (let kill = 0; kill < KILLS; kill++) {
    const target = Math.floor(((kill + 1) * MESSAGES) / (KILLS + 1));
    await eventually(() => (receiver.requests.length >= target ? true : undefined), 600_000, `${target} deliveries`);
    await sleep(Math.floor(Math.random() * 500));
    const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0] as ChildProcess;
    await killHard(victim);
    const fresh = spawnHookd({ HOOKD_ROLE: 'worker', HOOKD_DATABASE_URL: db.url, HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN });
    replacements.push(fresh);
    live.push(fresh);
    t.diagnostic(`kill ${kill + 1} at ${receiver.requests.length} deliveries`);
  }
  await publishing;
  assert.equal(acknowledged.length, MESSAGES, 'the API processes were never killed: every publish is acknowledged');
  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return acknowledged.every((id) => seen.has(id)) ? true : undefined;
    },
    600_000,
    `all ${acknowledged.length} acknowledged messages to arrive`,
  );
  const ids = receiver.requests.map((r) => r.headers['webhook-id'] as string);
  t.diagnostic(
    `${acknowledged.length} acknowledged, received ${ids.length}, duplicates ${ids.length - new Set(ids).size}, lost 0, ` +
      `in ${Math.round((Date.now() - started) / 1000)} s`,
  );
});
