/**
 * `hookd forward` end to end, as a developer runs it: `hookd serve` and `hookd forward` as child processes on
 * loopback, the server killed with SIGKILL and started again mid-stream.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { hookdCommand } from './helpers/built.js';
import { callApi, eventually } from './helpers/hookd.js';
import { killHard, serveHookd, spawnHookd, spawnServing, waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

const TOKEN = 'forward-test-token-0123456789abcdefgh';
const SECRET = 'github-secret';

/** `hookd forward …` with its stdout and stderr gathered line by line. */
function spawnForward(args: string[]): { child: ChildProcess; out: string[]; err: string[] } {
  const child = spawn(process.execPath, [...hookdCommand(), 'forward', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      into.push(...lines);
    };
  };
  child.stdout?.on('data', collect(out));
  child.stderr?.on('data', collect(err));
  return { child, out, err };
}

test('hookd forward streams every webhook to a local URL, and resumes after the server is killed and restarted', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-forward-'));
  const settings = { HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN };
  // Port 0 the first time; the restart takes the port the first start got, the one the forwarder knows.
  const first = await spawnServing(settings);
  const { base } = first;
  let server = first.child;
  const local = await startReceiver();
  const destination = await startReceiver();
  let forwarder: ReturnType<typeof spawnForward> | null = null;
  const ingest = async (n: number) => {
    const body = JSON.stringify({ ref: 'refs/heads/main', n });
    const response = await fetch(`${base}/in/dev`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `delivery-${n}`,
        'x-hub-signature-256': await sign(SECRET, body),
      },
      body,
    });
    assert.equal(response.status, 200, await response.text());
  };
  try {
    await waitReady(base);
    const created = await callApi(base, TOKEN, 'POST', '/v1/sources', {
      name: 'dev',
      scheme: 'github',
      secrets: [SECRET],
      destinations: [{ url: destination.url }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await ingest(0); // before forward starts: not forwarded, forward starts with what comes next

    forwarder = spawnForward(['--url', base, '--token', TOKEN, '--source', 'dev', '--to', local.url, '--json']);
    const { out, err } = forwarder;
    await eventually(
      () => (err.some((l) => l.includes('forwarding source dev')) ? true : undefined),
      20_000,
      'forward to connect',
    );
    for (const n of [1, 2, 3]) await ingest(n);
    await local.waitFor(3, 10_000);

    // An acknowledged webhook survives kill -9: the last one is answered 200, then the server dies at once.
    await ingest(4);
    await killHard(server);
    server = spawnHookd({ ...settings, HOOKD_PORT: new URL(base).port });
    await waitReady(base);
    for (const n of [5, 6]) await ingest(n);

    await local.waitFor(6, 20_000);
    await destination.waitFor(7, 10_000);
    // The forwarder handles the stream in order, one at a time: once it has reported the sixth, a duplicate of any
    // earlier one would already have reached the local app.
    await eventually(() => (out.filter((l) => l.startsWith('{')).length >= 6 ? true : undefined), 10_000, 'six forwards');
    const forwarded = local.requests.map((r) => r.headers['x-github-delivery']);
    assert.deepEqual(
      forwarded,
      [1, 2, 3, 4, 5, 6].map((n) => `delivery-${n}`),
      'each once, in order, none lost',
    );
    for (const request of local.requests) {
      assert.equal(
        request.headers['x-hub-signature-256'],
        await sign(SECRET, request.body),
        'the provider signature still holds',
      );
    }
    const lines = out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    assert.ok(lines.every((l) => l.status === 200 && l.type === 'push' && typeof l.ms === 'number'));
    assert.ok(
      err.some((l) => l.includes('reconnecting')),
      'the CLI saw the stream drop',
    );
    const delivered = new Set(destination.requests.map((r) => r.headers['x-github-delivery']));
    assert.equal(delivered.size, 7, 'the destination got every event too, the one acknowledged before kill -9 included');
  } finally {
    if (forwarder) await killHard(forwarder.child);
    await killHard(server);
    await local.close();
    await destination.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('hookd forward stops with a clear error when the token is refused or the source does not exist', async (t) => {
  const { base } = await serveHookd(t, { HOOKD_ADMIN_TOKEN: TOKEN });
  const exit = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const run = spawnForward(args);
      run.child.once('exit', (code) => resolve({ code, err: run.err.join('\n') }));
    });
  const noSource = await exit(['--url', base, '--token', TOKEN, '--source', 'nope', '--to', 'http://127.0.0.1:9/x']);
  assert.equal(noSource.code, 4);
  assert.match(noSource.err, /no source "nope"/);
  const badToken = await exit(['--url', base, '--token', 'wrong', '--source', 'nope', '--to', 'http://127.0.0.1:9/x']);
  assert.equal(badToken.code, 2);
  assert.match(badToken.err, /refused the token/);
});

test('hookd forward whose source is deleted on the server says so and exits 4 (not found), instead of staying connected and silent', async (t) => {
  const { base } = await serveHookd(t, { HOOKD_ADMIN_TOKEN: TOKEN });
  const created = await callApi(base, TOKEN, 'POST', '/v1/sources', {
    name: 'doomed',
    scheme: 'github',
    secrets: [SECRET],
    destinations: [{ url: 'http://127.0.0.1:9/unused' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const run = spawnForward(['--url', base, '--token', TOKEN, '--source', 'doomed', '--to', 'http://127.0.0.1:9/x']);
  t.after(() => killHard(run.child));
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', resolve));
  await eventually(() => (run.err.some((l) => l.includes('forwarding source doomed')) ? true : undefined), 20_000, 'connect');

  assert.equal((await callApi(base, TOKEN, 'DELETE', '/v1/sources/doomed')).status, 204);
  // The check runs every 5 s: well within the wait.
  const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
  assert.equal(code, 4, run.err.join('\n'));
  assert.match(run.err.join('\n'), /source "doomed" was deleted on hookd at http:\/\/127\.0\.0\.1:\d+: nothing more will arrive/);
  assert.match(run.err.join('\n'), /create it again .* or pick another with --source/);
});
