/**
 * Recovery jobs end to end: a dry run counts, a job re-queues exactly the matching failed deliveries and they are
 * delivered, its progress streams as Server-Sent Events, cancel stops it; and a `hookd serve` killed with -9 in the
 * middle of a job carries it on after a restart without re-queuing any delivery twice.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { callApi, eventually, startTestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { killHard, spawnHookd, spawnServing, waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as the other API tests do
type Json = any;
type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Json }>;

/** Publishes each type `n` times and waits until every delivery has failed. */
async function failEverything(call: Call, app: string, types: string[], n: number, deliveries: number) {
  for (let i = 0; i < n; i++) {
    for (const type of types) assert.equal((await call('POST', `/v1/apps/${app}/events`, { type, data: { i } })).status, 202);
  }
  await eventually(
    async () => {
      const failed = await call('GET', `/v1/apps/${app}/deliveries?status=failed&limit=250`);
      return failed.body.data.length === deliveries ? true : undefined;
    },
    30_000,
    `${deliveries} failed deliveries`,
  );
}

/** The `progress` events of a recovery's stream, which ends with the job. */
async function progressEvents(url: string, token: string): Promise<Json[]> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((frame) => frame.includes('event: progress'))
    .map((frame) =>
      JSON.parse(
        frame
          .split('\n')
          .find((line) => line.startsWith('data: '))
          ?.slice(6) ?? 'null',
      ),
    );
}

async function recoverAndDeliver(t: TestContext, databaseUrl?: string, dropDatabase?: () => Promise<void>) {
  let failing = true;
  const receiver = await startReceiver(() => (failing ? { status: 500 } : { status: 200 }));
  // Small batches with a rest between them, so a job lasts long enough to be cancelled half-way.
  const settings = { recoveryBatch: 2, recoveryPause: '200ms', retrySchedule: '0', ...(databaseUrl ? { databaseUrl } : {}) };
  const server = await startTestHookd(settings);
  t.after(async () => {
    await server.close();
    await receiver.close();
    await dropDatabase?.();
  });
  const call: Call = server.call;
  await call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const a = (await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/a` })).body;
  await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/b` });
  await failEverything(call, 'acme', ['order.created', 'order.paid'], 3, 12);

  const filter = { endpointId: a.id, eventTypes: ['order.paid'], errorCode: 'http_status' };
  const dry = await call('POST', '/v1/apps/acme/recoveries', { ...filter, dryRun: true });
  assert.equal(dry.status, 200);
  assert.deepEqual(dry.body, { dryRun: true, total: 3, byEndpoint: [{ endpointId: a.id, count: 3 }] });
  assert.equal((await call('GET', '/v1/apps/acme/recoveries')).body.data.length, 0, 'a dry run starts nothing');
  const refused = await call('POST', '/v1/apps/acme/recoveries', { errorCode: 'no_such_code' });
  assert.equal(refused.status, 400);

  failing = false;
  const sent = receiver.requests.length;
  const started = await call('POST', '/v1/apps/acme/recoveries', filter);
  assert.equal(started.status, 202);
  assert.equal(started.body.total, 3);
  const events = await progressEvents(
    `${server.url}/v1/apps/acme/recoveries/${started.body.id}/stream`,
    server.hookd.adminToken ?? '',
  );
  const last = events.at(-1);
  assert.equal(last?.status, 'completed');
  assert.equal(last?.requeued, 3);
  assert.equal(last?.progress, 1);
  const done = await eventually(async () => {
    const job = (await call('GET', `/v1/apps/acme/recoveries/${started.body.id}`)).body;
    return job.outcome?.delivered === 3 ? job : undefined;
  });
  assert.deepEqual(done.outcome, { delivered: 3, failedAgain: 0, waiting: 0 });
  const resent = receiver.requests.slice(sent);
  assert.equal(resent.length, 3, 'exactly the matching deliveries were sent again');
  for (const request of resent) {
    assert.ok(request.path.endsWith('/a'), request.path);
    assert.equal(JSON.parse(request.body).type, 'order.paid');
  }
  const audit = (await call('GET', '/v1/audit-log?action=recovery.started')).body.data;
  assert.equal(audit[0]?.target, started.body.id);

  // A job over the 9 still failed, cancelled after its first batch: it stops there.
  failing = true;
  const second = (await call('POST', '/v1/apps/acme/recoveries', {})).body;
  assert.equal(second.total, 9);
  await eventually(async () =>
    (await call('GET', `/v1/apps/acme/recoveries/${second.id}`)).body.requeued > 0 ? true : undefined,
  );
  const cancelled = await call('POST', `/v1/apps/acme/recoveries/${second.id}/cancel`);
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.ok(cancelled.body.requeued < 9, `cancelled after ${cancelled.body.requeued} of 9`);
  assert.equal((await call('POST', `/v1/apps/acme/recoveries/${second.id}/cancel`)).body.error.code, 'recovery_not_running');
  const events2 = await progressEvents(
    `${server.url}/v1/apps/acme/recoveries/${second.id}/stream`,
    server.hookd.adminToken ?? '',
  );
  assert.equal(events2.at(-1)?.status, 'cancelled', 'the stream of a finished job says so and ends');
  // Longer than a batch and its rest: a cancelled job re-queues nothing more.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const after = (await call('GET', `/v1/apps/acme/recoveries/${second.id}`)).body;
  assert.equal(after.requeued, cancelled.body.requeued);
  assert.equal((await call('GET', '/v1/audit-log?action=recovery.cancelled')).body.data[0]?.target, second.id);
  assert.equal((await call('GET', '/v1/apps/acme/recoveries/rcv_nothing')).body.error.code, 'recovery_not_found');
}

test(
  'recovery on SQLite: a dry-run count, exactly the matching deliveries re-queued and delivered, cancel',
  {
    timeout: 60_000,
  },
  (t) => recoverAndDeliver(t),
);

test('recovery on PostgreSQL: the same', { timeout: 60_000 }, async (t) => {
  const database = await testDatabase(t);
  if (!database) return;
  await recoverAndDeliver(t, await database.freshSchema(), () => database.drop());
});

const TOKEN = 'recovery-crash-token-0123456789abcdefgh';

test('kill -9 in the middle of a recovery job: the restarted hookd finishes it, re-queuing each delivery once', {
  timeout: 120_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-recovery-crash-'));
  // It keeps failing: a delivery re-queued twice would show a third attempt.
  const receiver = await startReceiver(() => ({ status: 503 }));
  const settings = {
    HOOKD_DATA_DIR: dataDir,
    HOOKD_ADMIN_TOKEN: TOKEN,
    HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
    HOOKD_RETRY_SCHEDULE: '0',
    HOOKD_TIMEOUT: '1s',
    HOOKD_LEASE: '2s',
    HOOKD_RECOVERY_BATCH: '5',
    HOOKD_RECOVERY_PAUSE: '150ms',
  };
  let child: ChildProcess | null = null;
  t.after(async () => {
    if (child) await killHard(child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await spawnServing(settings);
  child = first.child;
  const { base } = first;
  await waitReady(base);
  const call: Call = (method, path, body) => callApi(base, TOKEN, method, path, body);
  await call('POST', '/v1/apps', { uid: 'crash', name: 'Crash' });
  await call('POST', '/v1/apps/crash/endpoints', { url: receiver.url });
  await failEverything(call, 'crash', ['order.created'], 40, 40);

  const job = (await call('POST', '/v1/apps/crash/recoveries', {})).body;
  assert.equal(job.total, 40);
  await eventually(async () => {
    const now = (await call('GET', `/v1/apps/crash/recoveries/${job.id}`)).body;
    return now.requeued >= 10 ? now : undefined;
  }, 20_000);
  await killHard(child);
  child = spawnHookd({ ...settings, HOOKD_PORT: new URL(base).port });
  let said = '';
  child.stderr?.on('data', (chunk) => {
    said += chunk;
  });
  await waitReady(base).catch((error) => {
    throw new Error(`${error.message}; the restarted hookd said: ${said.slice(-2000)}`);
  });
  const done = await eventually(
    async () => {
      const now = (await call('GET', `/v1/apps/crash/recoveries/${job.id}`)).body;
      return now.status === 'completed' && now.outcome?.waiting === 0 ? now : undefined;
    },
    30_000,
    'the job to complete and its deliveries to be attempted',
  );
  assert.equal(done.requeued, 40);
  const deliveries = (await call('GET', '/v1/apps/crash/deliveries?limit=250')).body.data;
  assert.equal(deliveries.length, 40);
  assert.deepEqual(
    deliveries.map((d: { attemptCount: number }) => d.attemptCount),
    Array(40).fill(2),
    'one attempt before the job and exactly one after it, for each',
  );
});
