/**
 * PostgreSQL goes away mid-run and comes back: processes report not-ready and refuse publishes with
 * 503 while it is gone, recover by themselves, and every acknowledged message is delivered.
 * A solo test (run alone, last): it stops the machine's PostgreSQL for a moment.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { CLUSTER_TOKEN, startCluster } from './helpers/cluster.js';
import { callApi, eventually } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { startReceiver } from './helpers/receiver.js';

function pgctl(action: 'stop' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0] as string;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'ignore' });
}

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

test('a PostgreSQL restart mid-run: not ready and 503 while down, recovery by itself, nothing lost', {
  timeout: 180_000,
}, async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 10) }));
  const cluster = await startCluster(db.url, { apis: 1, workers: 2 });
  let stopped = false;
  t.after(async () => {
    if (stopped) pgctl('start');
    await cluster.close();
    await receiver.close();
    await db.drop();
  });
  const api = cluster.apis[0]?.base as string;
  await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps', { uid: 'restart', name: 'Restart' });
  await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps/restart/endpoints', { url: receiver.url });

  const acknowledged: string[] = [];
  let refused = 0;
  let publishing = true;
  const loop = async () => {
    for (let n = 0; publishing; n++) {
      const id = await cluster.publish(n, 'restart', 'restart.test', { n });
      if (id) acknowledged.push(id);
      else {
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const publishers = Array.from({ length: 4 }, loop);
  await eventually(() => (receiver.requests.length >= 300 ? true : undefined), 30_000, '300 deliveries before the stop');

  pgctl('stop');
  stopped = true;
  await eventually(
    async () => ((await status(`${api}/readyz`)) === 503 ? true : undefined),
    10_000,
    'the API to report not ready',
  );
  for (const worker of cluster.workers) {
    await eventually(
      async () => ((await status(`${worker.base}/readyz`)) === 503 ? true : undefined),
      10_000,
      'a worker not ready',
    );
  }
  const refusedWhileDown = await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps/restart/events', {
    type: 'restart.test',
    data: {},
  });
  assert.equal(refusedWhileDown.status, 503);
  assert.equal(refusedWhileDown.body.error.code, 'store_unavailable');
  const acknowledgedBeforeRestart = acknowledged.length;

  pgctl('start');
  stopped = false;
  for (const member of [...cluster.apis, ...cluster.workers]) {
    await eventually(async () => ((await status(`${member.base}/readyz`)) === 200 ? true : undefined), 30_000, 'recovery');
  }
  await eventually(() => (acknowledged.length >= acknowledgedBeforeRestart + 200 ? true : undefined), 30_000, 'publishing again');
  publishing = false;
  await Promise.all(publishers);

  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return acknowledged.every((id) => seen.has(id)) ? true : undefined;
    },
    60_000,
    `all ${acknowledged.length} acknowledged messages to arrive`,
  );
  const ids = receiver.requests.map((r) => r.headers['webhook-id'] as string);
  t.diagnostic(
    `acknowledged ${acknowledged.length} (refused ${refused} while down), received ${ids.length}, duplicates ${ids.length - new Set(ids).size}`,
  );
});
