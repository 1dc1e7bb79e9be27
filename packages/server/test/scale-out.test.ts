/**
 * Scale-out on PostgreSQL: API and worker processes as separate `hookd serve --role …` children on
 * one database. Every acknowledged message is delivered; with no faults, none twice. The same under faults (workers,
 * an API process and PostgreSQL itself killed mid-run) is scale-out-faults.solo.test.ts.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { CLUSTER_TOKEN, type Cluster, startCluster } from './helpers/cluster.js';
import { callApi, eventually } from './helpers/hookd.js';
import { type TestDatabase, testDatabase } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

interface Run {
  db: TestDatabase;
  cluster: Cluster;
  receivers: Receiver[];
}

/** A database, a cluster, and one receiver per endpoint; endpoint i takes the events of type `scale.i`. */
async function startRun(t: TestContext, counts: { apis: number; workers: number }, receiverCount: number): Promise<Run | null> {
  const db = await testDatabase(t);
  if (!db) return null;
  const receivers = await Promise.all(Array.from({ length: receiverCount }, () => startReceiver()));
  const cluster = await startCluster(db.url, counts);
  const api = cluster.apis[0]?.base as string;
  await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps', { uid: 'scale', name: 'Scale' });
  for (const [i, receiver] of receivers.entries()) {
    await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps/scale/endpoints', { url: receiver.url, events: [`scale.${i}`] });
  }
  return { db, cluster, receivers };
}

async function stopRun(run: Run): Promise<void> {
  await run.cluster.close();
  await Promise.all(run.receivers.map((r) => r.close()));
  await run.db.drop();
}

/** Publishes `count` messages from `parallel` loops; returns the acknowledged ids. */
async function publishMany(run: Run, count: number, parallel = 16): Promise<string[]> {
  const acknowledged: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const n = next++;
      const id = await run.cluster.publish(n, 'scale', `scale.${n % run.receivers.length}`, { n });
      if (id) acknowledged.push(id);
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  return acknowledged;
}

function receivedIds(run: Run): string[] {
  return run.receivers.flatMap((r) => r.requests.map((request) => request.headers['webhook-id'] as string));
}

async function allArrive(run: Run, acknowledged: string[], timeoutMs: number): Promise<{ received: number; duplicates: number }> {
  await eventually(
    () => {
      const seen = new Set(receivedIds(run));
      return acknowledged.every((id) => seen.has(id)) ? true : undefined;
    },
    timeoutMs,
    `all ${acknowledged.length} acknowledged messages to arrive`,
  );
  const ids = receivedIds(run);
  return { received: ids.length, duplicates: ids.length - new Set(ids).size };
}

test('three workers and two API processes deliver 10,000 messages, each once', { timeout: 400_000 }, async (t) => {
  const run = await startRun(t, { apis: 2, workers: 3 }, 4);
  if (!run) return;
  t.after(() => stopRun(run));
  const started = Date.now();
  const acknowledged = await publishMany(run, 10_000);
  assert.equal(acknowledged.length, 10_000, 'every publish is acknowledged');
  const { received, duplicates } = await allArrive(run, acknowledged, 300_000);
  t.diagnostic(
    `10,000 messages published and delivered in ${Date.now() - started} ms; received ${received}, duplicates ${duplicates}`,
  );
  assert.equal(duplicates, 0, 'with no faults, no message is sent twice');
  for (const [i, receiver] of run.receivers.entries()) {
    assert.ok(
      receiver.requests.every((r) => JSON.parse(r.body).type === `scale.${i}`),
      `receiver ${i} got only its own event type`,
    );
  }
});
