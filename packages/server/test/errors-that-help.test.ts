/**
 * Errors and help that say what to do: each refusal a newcomer meets first names the flag, variable or header that
 * fixes it, and the bare addresses answer in hookd's own shape. Real servers and the real CLI on loopback.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { generateSecret } from '@hookd/sdk';
import { runCli } from './helpers/cli.js';
import { startTestHookd } from './helpers/hookd.js';
import { bannerUrl, killHard, spawnHookd } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

const TIMEOUT = 60_000;

function tempDir(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-hints-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function takenPort(t: { after(fn: () => unknown): void }): Promise<number> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  return (blocker.address() as { port: number }).port;
}

test('serve on a taken port: one line naming the port and --port / HOOKD_PORT, exit 2, no stack', {
  timeout: TIMEOUT,
}, async (t) => {
  const port = await takenPort(t);
  const run = await runCli(['serve', '--port', String(port), '--data-dir', tempDir(t), '--log-level', 'silent']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, new RegExp(`port ${port} is taken \\(127\\.0\\.0\\.1:${port}\\).*--port or HOOKD_PORT`));
  assert.doesNotMatch(run.stderr, /EADDRINUSE|setupListenHandle|\n\s+at /);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);

  const worker = await runCli(['serve', '--role', 'worker', '--health-port', String(port), '--data-dir', tempDir(t)], {
    env: { HOOKD_LOG_LEVEL: 'silent' },
  });
  assert.equal(worker.code, 2, worker.stderr);
  assert.match(worker.stderr, new RegExp(`port ${port} is taken.*--health-port or HOOKD_HEALTH_PORT`));
  assert.match((await runCli(['serve', '--help'])).stdout, /Exit codes: .*2 a setting is wrong or the port is taken/);
});

test('the banner shows the dashboard; GET / points to /ui and /docs (a browser is redirected)', {
  timeout: TIMEOUT,
}, async (t) => {
  const child = spawnHookd({ HOOKD_PORT: '0', HOOKD_DATA_DIR: tempDir(t) });
  t.after(() => killHard(child));
  const base = await bannerUrl(child, 'dashboard:');
  const json = await fetch(`${base}/`);
  assert.equal(json.status, 200);
  const body = (await json.json()) as Record<string, string>;
  assert.equal(body.dashboard, '/ui');
  assert.equal(body.docs, '/docs');
  const browser = await fetch(`${base}/`, { headers: { accept: 'text/html,*/*' }, redirect: 'manual' });
  assert.equal(browser.status, 302);
  assert.equal(browser.headers.get('location'), '/ui');
  const ui = await fetch(`${base}/ui`, { redirect: 'manual' });
  assert.ok(ui.status < 400, 'the dashboard answers where the banner says');
});

test('url_not_allowed says how to allow the network, and names link-local (cloud metadata) in words', {
  timeout: TIMEOUT,
}, async (t) => {
  const server = await startTestHookd({ allowNetworks: '' });
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const loopback = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:4000/webhook' });
  assert.equal(loopback.status, 422);
  assert.equal(loopback.body.error.code, 'url_not_allowed');
  assert.match(loopback.body.error.message, /127\.0\.0\.1 resolves to a loopback address/);
  assert.match(loopback.body.error.message, /--allow-networks 127\.0\.0\.1\/32 or HOOKD_ALLOW_NETWORKS=127\.0\.0\.1\/32/);
  const metadata = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://169.254.169.254/latest/meta-data' });
  assert.equal(metadata.body.error.code, 'url_not_allowed');
  assert.match(metadata.body.error.message, /a link-local \(cloud metadata\) address/);
  assert.doesNotMatch(metadata.body.error.message, /linkLocal/);
});

test('curl -d without a content type: the 415 says to send Content-Type: application/json', { timeout: TIMEOUT }, async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  // Not execFileSync: the server runs in this process and must answer while curl waits.
  const { stdout: out } = await promisify(execFile)('curl', [
    '-s',
    '-H',
    `Authorization: Bearer ${server.hookd.adminToken}`,
    '-d',
    '{"name":"Acme"}',
    `${server.url}/v1/apps`,
  ]);
  const { error } = JSON.parse(out) as { error: { code: string; message: string } };
  assert.equal(error.code, 'unsupported_media_type');
  assert.match(error.message, /Content-Type: application\/json/);
  assert.match(error.message, /curl -d/);
  assert.match(error.message, /-H 'Content-Type: application\/json'/);
});

test('a worker’s health port answers an unknown path in hookd’s error shape', { timeout: TIMEOUT }, async (t) => {
  const worker = await startTestHookd({ role: 'worker', healthPort: 0 });
  t.after(() => worker.close());
  const answer = await fetch(`${worker.url}/nope`);
  assert.equal(answer.status, 404);
  const body = (await answer.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'route_not_found');
  assert.match(body.error.message, /\/healthz, \/readyz and \/metrics, not GET \/nope/);
});

test('--help: migrate lists only its flags, serve shows defaults, required options are marked', {
  timeout: TIMEOUT,
}, async () => {
  const migrate = (await runCli(['migrate', '--help'])).stdout;
  assert.match(migrate, /--db <value>/);
  assert.match(migrate, /--data-dir <value>/);
  for (const flag of ['--port', '--retry-schedule', '--allow-networks', '--role']) assert.ok(!migrate.includes(flag), flag);
  const serve = (await runCli(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
  assert.match(serve, /--port <value> port the API listens on \(HOOKD_PORT\) \(default: 8080\)/);
  assert.match(serve, /--retry-schedule <value> .*\(default: 0,5s,5m,30m,2h,5h,10h,10h\)/);
  const send = (await runCli(['send', '--help'])).stdout.replace(/\s+/g, ' ');
  assert.match(send, /--type <type> the event type, e\.g\. payment\.completed \(required\)/);
  assert.match(send, /--secret <secret> .* \(required\)/);
  const replay = (await runCli(['replay', '--help'])).stdout.replace(/\s+/g, ' ');
  assert.match(replay, /--since <when> .* \(required\)/);
  assert.match(replay, /--server <url> .*\(default: http:\/\/127\.0\.0\.1:8080\)/);
});

test('send --type refuses a name the API would refuse, before sending anything', { timeout: TIMEOUT }, async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const run = await runCli(['send', receiver.url, '--type', 'bad type!', '--secret', generateSecret()]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /--type <type>.*expected an event type such as payment\.completed/);
  assert.equal(receiver.requests.length, 0);
});

test('serve --config with an unknown key lists the valid ones', { timeout: TIMEOUT }, async (t) => {
  const file = join(tempDir(t), 'hookd.json');
  writeFileSync(file, JSON.stringify({ prot: 9000 }));
  const run = await runCli(['serve', '--config', file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown setting "prot" \(did you mean "port"\?\).*role, host, port, publicUrl/);
});
