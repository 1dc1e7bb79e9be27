/**
 * `hookd migrate-store` as an operator runs it: a SQLite hookd with delivered, failed and in-flight messages is
 * stopped (SIGKILL, leaving leases), copied into PostgreSQL, and a PostgreSQL hookd carries on where it stopped.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { runCli } from './helpers/cli.js';
import { callApi, eventually, TEST_MASTER_KEY } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { killHard, spawnServing, waitReady } from './helpers/processes.js';
import { type Received, startReceiver } from './helpers/receiver.js';

const TOKEN = 'migrate-store-test-token-0123456789abcdef';
const KINDS = ['ok', 'bad', 'slow'] as const;

interface History {
  messages: string[];
  deliveries: Map<string, { status: string; attemptCount: number; endpointId: string }>;
}

async function history(base: string): Promise<History> {
  const messages = (await callApi(base, TOKEN, 'GET', '/v1/apps/mover/events?limit=100')).body.data.map(
    (m: { id: string }) => m.id,
  );
  const listed = (await callApi(base, TOKEN, 'GET', '/v1/apps/mover/deliveries?limit=100')).body.data as {
    id: string;
    status: string;
    attemptCount: number;
    endpointId: string;
  }[];
  return {
    messages,
    deliveries: new Map(listed.map((d) => [d.id, { status: d.status, attemptCount: d.attemptCount, endpointId: d.endpointId }])),
  };
}

async function countWithStatus(base: string, status: string): Promise<number> {
  return (await callApi(base, TOKEN, 'GET', `/v1/apps/mover/deliveries?limit=100&status=${status}`)).body.data.length;
}

function verifyAll(requests: Received[], secret: string): void {
  for (const request of requests) {
    assert.doesNotThrow(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>));
  }
}

test('a stopped SQLite hookd moves to PostgreSQL: in-flight deliveries are sent, failed ones replayed, the history kept', {
  timeout: 240_000,
}, async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  let broken = true; // until the move, `bad` answers 500 and `slow` never answers
  const receivers = {
    ok: await startReceiver(),
    bad: await startReceiver(() => (broken ? { status: 500 } : { status: 200 })),
    slow: await startReceiver(() => (broken ? { hang: true } : { status: 200 })),
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-move-'));
  const pgDataDir = mkdtempSync(join(tmpdir(), 'hookd-move-pg-'));
  const children: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(children.map(killHard));
    await Promise.all(Object.values(receivers).map((r) => r.close()));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pgDataDir, { recursive: true, force: true });
    await db.drop();
  });

  // One attempt each; a hung attempt holds its lease far longer than the test, unless the move clears it.
  const sqlite = await spawnServing({
    HOOKD_DATA_DIR: dataDir,
    HOOKD_ADMIN_TOKEN: TOKEN,
    HOOKD_RETRY_SCHEDULE: '0',
    HOOKD_TIMEOUT: '5m',
    HOOKD_LEASE: '10m',
  });
  children.push(sqlite.child);
  await waitReady(sqlite.base);
  await callApi(sqlite.base, TOKEN, 'POST', '/v1/apps', { uid: 'mover', name: 'Mover' });
  const secrets: Record<string, string> = {};
  for (const kind of KINDS) {
    const made = await callApi(sqlite.base, TOKEN, 'POST', '/v1/apps/mover/endpoints', {
      url: receivers[kind].url,
      events: [`${kind}.happened`],
    });
    secrets[kind] = made.body.secret;
  }
  for (const [kind, count] of [
    ['ok', 3],
    ['bad', 2],
    ['slow', 2],
  ] as const) {
    for (let n = 0; n < count; n++) {
      const answer = await callApi(sqlite.base, TOKEN, 'POST', '/v1/apps/mover/events', {
        type: `${kind}.happened`,
        data: { n },
      });
      assert.equal(answer.status, 202);
    }
  }
  await receivers.slow.waitFor(2);
  await eventually(
    async () => ((await countWithStatus(sqlite.base, 'succeeded')) === 3 ? true : undefined),
    20_000,
    '3 delivered',
  );
  await eventually(async () => ((await countWithStatus(sqlite.base, 'failed')) === 2 ? true : undefined), 20_000, '2 failed');
  const before = await history(sqlite.base);
  assert.equal(before.messages.length, 7);

  const from = join(dataDir, 'hookd.db');
  const served = await runCli(['migrate-store', '--from', from, '--to', db.url], { env: { HOOKD_MASTER_KEY: TEST_MASTER_KEY } });
  assert.equal(served.code, 2, served.stderr);
  assert.match(served.stderr, /a hookd \(process \d+\) is serving .*hookd\.db: stop it first/);

  await killHard(sqlite.child); // stopped hard: its leases stay in the file
  const wrongKey = await runCli([
    'migrate-store',
    '--from',
    from,
    '--to',
    db.url,
    '--master-key',
    'Bb5KnkDKIq37KFJGoe1jOE3+FTa+WvkH7/jd6nvi6CQ=',
  ]);
  assert.equal(wrongKey.code, 2, wrongKey.stderr);
  assert.match(wrongKey.stderr, /the master key given does not open the SQLite file's secrets/);

  const moved = await runCli(['migrate-store', '--from', from, '--to', db.url], {
    env: { HOOKD_MASTER_KEY: TEST_MASTER_KEY },
    timeoutMs: 60_000,
  });
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stderr, /^ {2}messages +9 +[0-9a-f]{32}$/m, "7, and the ops app's 2 exhausted-attempt events");
  assert.match(moved.stderr, /^ {2}attempts +5 +[0-9a-f]{32}$/m, 'one attempt each, but the hung ones were never recorded');
  assert.match(moved.stderr, /counts and checksums match/);
  const again = await runCli(['migrate-store', '--from', from, '--to', db.url], { env: { HOOKD_MASTER_KEY: TEST_MASTER_KEY } });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /the PostgreSQL database is not empty \(settings: \d+, apps: 2,/);

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const leased = await client
    .query('SELECT count(*)::int AS n FROM deliveries WHERE lease_token IS NOT NULL')
    .finally(() => client.end());
  assert.equal(leased.rows[0].n, 0, 'no lease of the stopped process is copied');

  broken = false;
  const postgres = await spawnServing({ HOOKD_DATA_DIR: pgDataDir, HOOKD_ADMIN_TOKEN: TOKEN, HOOKD_DATABASE_URL: db.url });
  children.push(postgres.child);
  await waitReady(postgres.base);
  // The two the SQLite hookd had in flight are sent again, at once, signed with the same secret.
  const resent = (await receivers.slow.waitFor(4, 30_000)).slice(2);
  verifyAll(resent, secrets.slow as string);
  const hung = receivers.slow.requests.slice(0, 2).map((r) => r.headers['webhook-id']);
  assert.deepEqual(new Set(resent.map((r) => r.headers['webhook-id'])), new Set(hung));
  await eventually(
    async () => ((await countWithStatus(postgres.base, 'succeeded')) === 5 ? true : undefined),
    20_000,
    '5 delivered',
  );

  const after = await history(postgres.base);
  assert.deepEqual(after.messages, before.messages, 'the same messages, by id');
  const expected = new Map(
    [...before.deliveries].map(([id, d]) => [id, d.status === 'pending' ? { ...d, status: 'succeeded', attemptCount: 1 } : d]),
  );
  assert.deepEqual(after.deliveries, expected, 'the same deliveries, statuses and attempt counts; the pending ones sent');

  const badId = [...before.deliveries.values()].find((d) => d.status === 'failed')?.endpointId;
  const replay = await callApi(postgres.base, TOKEN, 'POST', `/v1/apps/mover/endpoints/${badId}/replay`, {
    since: new Date(0).toISOString(),
  });
  assert.equal(replay.body.replayed, 2);
  const replayed = (await receivers.bad.waitFor(4, 30_000)).slice(2);
  verifyAll(replayed, secrets.bad as string);
  assert.equal(receivers.ok.requests.length, 3, 'nothing delivered before is sent again');
});
