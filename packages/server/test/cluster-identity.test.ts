/**
 * One deployment, one identity: two `hookd serve` processes on one PostgreSQL database, each with its own data folder,
 * agree on the admin token, dashboard sessions and portal links, and say so when a setting disagrees.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLUSTER_TOKEN } from './helpers/cluster.js';
import { callApi } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { bannerUrl, freePort, killHard, spawnHookd, waitReady } from './helpers/processes.js';
import { expectedStatuses, printedStatuses, ShellSession, shBlocks } from './helpers/readme.js';
import { signIn } from './helpers/ui.js';

interface Served {
  base: string;
  /** What the process wrote on stderr so far. */
  stderr: () => string;
}

interface Deployment {
  /** A `hookd serve` on its own data folder, answering /readyz. */
  serve(settings?: Record<string, string>): Promise<Served>;
  /** Starts a process expected to refuse; resolves with its exit code and what it said. */
  refusal(): Promise<{ code: number | null; stderr: string }>;
}

/** A fresh database; its processes are killed, their folders removed, then the database dropped, when the test ends. */
async function deployment(t: TestContext): Promise<Deployment | null> {
  const db = await testDatabase(t);
  if (!db) return null;
  const children: ChildProcess[] = [];
  const dataDirs: string[] = [];
  t.after(async () => {
    await Promise.all(children.map(killHard));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });
  const spawnOn = (settings: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-cluster-'));
    dataDirs.push(dataDir);
    const child = spawnHookd({ HOOKD_PORT: '0', HOOKD_DATA_DIR: dataDir, HOOKD_DATABASE_URL: db.url, ...settings });
    children.push(child);
    return { child, stderr: collect(child) };
  };
  return {
    async serve(settings = {}) {
      const { child, stderr } = spawnOn(settings);
      // Generous: several hookd processes start at once on a shared machine.
      const base = await bannerUrl(child, 'API:', 60_000);
      await waitReady(base);
      return { base, stderr };
    },
    async refusal() {
      const { child, stderr } = spawnOn({});
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, stderr: stderr() };
    },
  };
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return () => text;
}

test('the admin token the first process generated works on the second; a process without it refuses to start', async (t) => {
  const run = await deployment(t);
  if (!run) return;
  const first = await run.serve();
  const token = /admin token:\s+(hk_admin_\S+)/.exec(first.stderr())?.[1];
  assert.ok(token, `the first process shows the token it generated:\n${first.stderr()}`);

  const refused = await run.refusal();
  assert.equal(refused.code, 2, 'a wrong setting: exit 2');
  assert.match(refused.stderr, /already has an admin token, made by another hookd process/);
  assert.match(refused.stderr, /set HOOKD_ADMIN_TOKEN/);

  const second = await run.serve({ HOOKD_ADMIN_TOKEN: token });
  assert.equal((await callApi(second.base, token, 'GET', '/v1/apps')).status, 200);
  assert.equal((await callApi(second.base, CLUSTER_TOKEN, 'GET', '/v1/apps')).status, 401);
  assert.equal((await callApi(first.base, token, 'GET', '/v1/apps')).status, 200, 'the first still takes it');
  assert.ok(!second.stderr().includes('warning:'), `nothing disagrees:\n${second.stderr()}`);

  // An app token made through one process works on the other.
  const app = (await callApi(first.base, token, 'POST', '/v1/apps', { name: 'Shared' })).body;
  const minted = (await callApi(first.base, token, 'POST', `/v1/apps/${app.id}/tokens`, { name: 'ci' })).body;
  assert.equal((await callApi(second.base, minted.token, 'GET', `/v1/apps/${app.id}`)).status, 200);
});

test('a dashboard session and a portal link made by one process are accepted by the other', async (t) => {
  const run = await deployment(t);
  if (!run) return;
  const first = await run.serve({ HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN });
  const second = await run.serve({ HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN });

  const { cookie } = await signIn(first.base, CLUSTER_TOKEN);
  const onSecond = await fetch(`${second.base}/ui/apps`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(onSecond.status, 200, 'the session signed in on the first opens pages on the second');

  const app = (await callApi(first.base, CLUSTER_TOKEN, 'POST', '/v1/apps', { name: 'Portal' })).body;
  const link = (await callApi(first.base, CLUSTER_TOKEN, 'POST', `/v1/apps/${app.id}/portal-link`, {})).body;
  const { pathname, search } = new URL(link.url);
  const opened = await fetch(`${second.base}${pathname}${search}`, { redirect: 'manual' });
  assert.equal(opened.status, 303, 'the link made by the first opens on the second');
  assert.equal(opened.headers.get('location'), `/ui/apps/${app.id}`);
  const portalCookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const back = await fetch(`${first.base}/ui/apps/${app.id}`, { headers: { cookie: portalCookie }, redirect: 'manual' });
  assert.equal(back.status, 200, 'the portal session opened on the second holds on the first');
});

test('a process whose retry schedule differs from the one the database recorded warns at start', async (t) => {
  const run = await deployment(t);
  if (!run) return;
  const first = await run.serve({ HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN });
  assert.ok(!first.stderr().includes('warning:'), 'the first start records; nothing to disagree with');
  const second = await run.serve({ HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN, HOOKD_RETRY_SCHEDULE: '0,1m' });
  assert.match(
    second.stderr(),
    /warning: +HOOKD_RETRY_SCHEDULE is 0ms,60000ms here, but 0ms,100ms,100ms,100ms,100ms in the database's record/,
  );
  assert.ok(!second.stderr().includes('HOOKD_ALLOW_NETWORKS'), 'only what differs is named');
});

test("the README's scale-out block runs as pasted: two API processes take the one admin token", {
  timeout: 180_000,
}, async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const root = new URL('../../../', import.meta.url);
  const blocks = shBlocks(readFileSync(new URL('README.md', root), 'utf8'));
  const block = blocks.find((b) => b.section === 'Running on PostgreSQL / scaling out' && b.mode === 'run');
  assert.ok(block, 'the section has a block to run');
  // Only the database and the ports change: the README's own database and ports are not this machine's.
  let text = block.text.replace(/postgres:\/\/hookd@localhost:5432\/hookd/, db.url);
  for (const port of [8080, 8081, 8091, 8092]) {
    text = text.replace(new RegExp(`(localhost:|--port |--health-port )${port}\\b`, 'g'), `$1${await freePort()}`);
  }
  assert.notEqual(text, block.text);
  const cwd = mkdtempSync(join(tmpdir(), 'hookd-readme-pg-'));
  symlinkSync(fileURLToPath(new URL('node_modules', root)), join(cwd, 'node_modules'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('HOOKD_') && !key.startsWith('npm_')),
  );
  const shell = new ShellSession({ cwd, env });
  t.after(async () => {
    await shell.close();
    rmSync(cwd, { recursive: true, force: true });
    await db.drop();
  });
  const output = await shell.run(text, 120_000);
  assert.deepEqual(printedStatuses(output), expectedStatuses(block.text), output);
  assert.match(output, /admin token: hk_admin_[0-9a-f]{48}/);
});
