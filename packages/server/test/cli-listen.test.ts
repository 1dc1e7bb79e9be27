/**
 * `hookd listen` run as a user runs it: it catches requests, shows each in a readable block, checks signatures
 * and says why one fails, answers as its flags say, forwards to an app, keeps everything in its SQLite file, and
 * leaves its own /_hookd paths alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSecret } from '@hookd/sdk';
import { signTestRequest } from '@hookd/sdk/testing';
import { listenUrl, runCli, startCli } from './helpers/cli.js';
import { waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

/** The start of an ANSI colour sequence: none may appear when NO_COLOR is set. */
const ESC = String.fromCharCode(27);

const TIMEOUT = 60_000;

/** A folder of the test's own, removed when it ends. */
function dir0(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-fixtures-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function listen(t: { after(fn: () => unknown): void }, args: string[] = [], db?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-'));
  const file = db ?? join(dir, 'listen.sqlite');
  const cli = startCli(['listen', '--port', '0', '--db', file, ...args], { env: { NO_COLOR: '1' } });
  t.after(async () => {
    await cli.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = await listenUrl(cli);
  await waitReady(base, '/_hookd');
  return { cli, base, file, dir };
}

test('catches a signed request, verifies it, and shows a forged one as failing with the reason', {
  timeout: TIMEOUT,
}, async (t) => {
  const secret = generateSecret();
  const { cli, base } = await listen(t, ['--secret', secret]);

  const good = await runCli([
    'send',
    `${base}/webhooks/hookd`,
    '--type',
    'payment.completed',
    '--data',
    '{"amount":4200}',
    '--secret',
    secret,
  ]);
  assert.equal(good.code, 0, good.stderr);
  let out = await cli.waitFor('→ answered 200');
  assert.match(out, /POST \/webhooks\/hookd ─+ \d\d:\d\d:\d\d\.\d{3} {2}#1/);
  assert.match(out, /webhook-signature: v1,/);
  assert.match(out, / {2}\{\n {4}"type": "payment.completed",/, 'the JSON body is indented');
  assert.match(out, /"amount": 4200/);
  assert.match(out, /\d+ B · payment.completed/);
  assert.match(out, /✓ signature verified \(standard, detected\)/);

  const forged = await runCli(['send', `${base}/webhooks/hookd`, '--type', 'payment.completed', '--secret', generateSecret()]);
  assert.equal(forged.code, 0, 'listen answers 200 whatever the signature');
  out = await cli.waitFor(/#2[\s\S]*→ answered 200/);
  assert.match(out, /✗ signature not verified: signature_invalid \(standard, detected\) no webhook-signature signature matches/);

  // Without --provider, each request is checked with the scheme its headers name.
  const stripe = signTestRequest({ scheme: 'stripe', secret, payload: { type: 'invoice.paid' } });
  await fetch(`${base}/stripe`, { method: 'POST', headers: stripe.headers, body: stripe.body });
  out = await cli.waitFor(/#3[\s\S]*→ answered/);
  assert.match(out, /✓ signature verified \(stripe, detected\)/);
  assert.ok(!cli.stdout().includes(ESC), 'NO_COLOR: no escape codes');
  assert.match(cli.stderr(), /web page: +http:\/\/127\.0\.0\.1:\d+\/_hookd/);
});

test('--provider github --json: one JSON line per request; a missing header is named', { timeout: TIMEOUT }, async (t) => {
  const { cli, base } = await listen(t, ['--provider', 'github', '--secret', 'gh-secret', '--json']);
  const run = await runCli(['trigger', 'push', '--to', `${base}/github`, '--secret', 'gh-secret']);
  assert.equal(run.code, 0, run.stderr);
  await fetch(`${base}/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"zen":"x"}' });
  await cli.waitFor(/\n.*\n/);
  const [first, second] = cli
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(first.method, 'POST');
  assert.equal(first.path, '/github');
  assert.equal(first.eventType, 'push');
  assert.equal(first.headers['x-github-event'], 'push');
  assert.deepEqual(first.verification, { scheme: 'github', detected: false, ok: true });
  assert.equal(first.responseStatus, 200);
  assert.equal(JSON.parse(first.body).ref, 'refs/heads/main');
  assert.equal(second.verification.ok, false);
  assert.equal(second.verification.code, 'header_missing');
  assert.match(second.verification.message, /X-Hub-Signature-256/);
});

test('--status, --delay and --body set the answer, to test how a sender copes', { timeout: TIMEOUT }, async (t) => {
  const { cli, base } = await listen(t, ['--status', '503', '--delay', '300ms', '--body', 'try later']);
  const started = Date.now();
  const answer = await fetch(`${base}/slow`, { method: 'POST', body: 'x' });
  assert.equal(answer.status, 503);
  assert.equal(await answer.text(), 'try later');
  assert.ok(Date.now() - started >= 280, 'answered after the delay');
  await cli.waitFor('→ answered 503 after 300 ms');
  const run = await runCli(['send', `${base}/slow`, '--type', 'a.b', '--secret', generateSecret()]);
  assert.equal(run.code, 2, 'send sees the 503');
});

test('--forward relays to the app, answers with its answer and shows it', { timeout: TIMEOUT }, async (t) => {
  const app = await startReceiver((request) => ({
    status: 201,
    headers: { 'content-type': 'application/json' },
    body: `{"seen":"${request.path}"}`,
  }));
  t.after(() => app.close());
  const origin = new URL(app.url).origin;
  const { cli, base } = await listen(t, ['--forward', origin]);
  const answer = await fetch(`${base}/hooks/github?x=1`, { method: 'POST', headers: { 'x-custom': 'yes' }, body: '{"a":1}' });
  assert.equal(answer.status, 201);
  assert.deepEqual(await answer.json(), { seen: '/hooks/github?x=1' });
  const [relayed] = await app.waitFor(1);
  assert.equal(relayed?.body, '{"a":1}');
  assert.equal(relayed?.headers['x-custom'], 'yes');
  const out = await cli.waitFor('→ answered 201');
  assert.match(out, new RegExp(`↳ ${origin}/hooks/github\\?x=1 answered 201 in \\d+ ms\\n {4}\\{\\n {6}"seen"`));

  await app.close();
  const down = await fetch(`${base}/again`, { method: 'POST', body: '{}' });
  assert.equal(down.status, 502);
  await cli.waitFor(/↳ forward to .* failed: cannot reach/);
});

test('requests are kept in the SQLite file across runs; /_hookd paths are never caught', { timeout: TIMEOUT }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'kept.sqlite');
  {
    const first = await listen(t, [], db);
    await fetch(`${first.base}/one`, { method: 'PUT', body: 'first' });
    await first.cli.waitFor('→ answered 200');
    assert.equal((await fetch(`${first.base}/_hookd/nothing-here`)).status, 404);
    assert.equal((await fetch(`${first.base}/_hookd/api/requests/1/replay`, { method: 'POST', body: '{}' })).status, 403);
    await first.cli.stop();
  }
  const second = await listen(t, [], db);
  const page = (await (await fetch(`${second.base}/_hookd/api/requests`)).json()) as { data: { path: string; method: string }[] };
  assert.deepEqual(
    page.data.map((r) => `${r.method} ${r.path}`),
    ['PUT /one'],
    'the earlier run’s request is listed and no /_hookd request was caught',
  );
  const one = (await (await fetch(`${second.base}/_hookd/api/requests/1`)).json()) as { body: string; curl: string };
  assert.equal(one.body, 'first');
  assert.match(one.curl, /^curl -X PUT 'http:\/\/127\.0\.0\.1:\d+\/one' \\\n/);
  assert.match(one.curl, /--data-raw 'first'$/);
});

test('listen: a taken port is exit 1 with what to do', { timeout: TIMEOUT }, async (t) => {
  const { base } = await listen(t);
  const port = new URL(base).port;
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-taken-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = await runCli(['listen', '--port', port, '--db', join(dir, 'x.sqlite')]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`port ${port} is taken`));
  assert.match(run.stderr, /--port/);
});

/** A request with the Host header a browser sends for a page on another name (fetch may not set Host). */
function withHost(
  base: string,
  path: string,
  host: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: init.method ?? 'GET', headers: { ...init.headers, host } }, (res) => {
      // An event stream stays open: its status is all this needs.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, body: '' });
      }
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

test('DNS rebinding: the page, its JSON, stream and replay answer only a loopback Host; webhooks are caught whatever the Host', {
  timeout: TIMEOUT,
}, async (t) => {
  const { base, cli } = await listen(t);
  const port = new URL(base).port;
  const evil = `rebind.attacker.example:${port}`;
  // A webhook sent to a name that resolves here is still caught.
  assert.equal((await withHost(base, '/hook', evil, { method: 'POST', body: 'caught' })).status, 200);
  await cli.waitFor('→ answered 200');
  const replay = {
    method: 'POST',
    body: JSON.stringify({ url: 'http://127.0.0.1:9/' }),
    headers: { 'content-type': 'application/json', origin: `http://${evil}` },
  };
  for (const [path, init] of [
    ['/_hookd', {}],
    ['/_hookd/api/requests', {}],
    ['/_hookd/api/requests/1', {}],
    ['/_hookd/api/stream', {}],
    ['/_hookd/api/requests/1/replay', replay],
  ] as const) {
    const refused = await withHost(base, path, evil, init);
    assert.equal(refused.status, 403, `${path} under Host ${evil}: ${refused.status} ${refused.body}`);
    assert.doesNotMatch(refused.body, /caught/, path);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      if (path.endsWith('/replay')) continue;
      assert.equal((await withHost(base, path, host, init)).status, 200, `${path} under Host ${host}`);
    }
  }
  assert.equal((await withHost(base, '/_hookd', `127.0.0.1:${Number(port) + 1}`)).status, 403, 'another port');
});

test('without --secret, listen makes a whsec_ secret, prints it and keeps it in --db: a sender using it shows verified', {
  timeout: TIMEOUT,
}, async (t) => {
  const { cli, base, file } = await listen(t);
  const secret = (/with the secret (whsec_[A-Za-z0-9+/=]+)/.exec(cli.stderr()) ?? [])[1];
  assert.ok(secret, cli.stderr());
  const sent = await runCli(['send', `${base}/hook`, '--type', 'payment.completed', '--secret', secret]);
  assert.equal(sent.code, 0, sent.stderr);
  let out = await cli.waitFor('→ answered 200');
  assert.match(out, /✓ signature verified \(standard, detected\)/);
  // A request with no Standard Webhooks signature is not checked against the made-up secret.
  await fetch(`${base}/plain`, { method: 'POST', body: '{}' });
  out = await cli.waitFor(/#2[\s\S]*→ answered 200/);
  assert.doesNotMatch(out.slice(out.indexOf('#2')), /signature/);
  await cli.stop();

  const again = startCli(['listen', '--port', '0', '--db', file], { env: { NO_COLOR: '1' } });
  t.after(() => again.stop());
  await listenUrl(again);
  assert.ok(again.stderr().includes(secret), 'the same secret on the next run with the same --db');
});

test('--forward routes by event type: the first matching pattern wins, a bare URL takes the rest', {
  timeout: TIMEOUT,
}, async (t) => {
  const orders = await startReceiver(() => ({ status: 202, body: 'orders' }));
  const other = await startReceiver(() => ({ status: 200, body: 'other' }));
  t.after(() => Promise.all([orders.close(), other.close()]));
  const { cli, base } = await listen(t, [
    '--forward',
    `order.*=${new URL(orders.url).origin}/orders`,
    '--forward',
    `order.refunded=${new URL(other.url).origin}/never`,
    '--forward',
    `${new URL(other.url).origin}/other`,
  ]);
  assert.match(cli.stderr(), /relaying to order\.\* → http:\/\/127\.0\.0\.1:\d+\/orders, .*\/other/);
  const secret = generateSecret();
  for (const type of ['order.created', 'order.refunded', 'user.created']) {
    const run = await runCli(['send', `${base}/in`, '--type', type, '--secret', secret]);
    assert.equal(run.code, 0, run.stderr);
  }
  const routed = await orders.waitFor(2);
  assert.deepEqual(
    routed.map((r) => [r.path, JSON.parse(r.body).type]),
    [
      ['/orders', 'order.created'],
      ['/orders', 'order.refunded'],
    ],
  );
  const [fallback] = await other.waitFor(1);
  assert.equal(fallback?.path, '/other');
  assert.equal(JSON.parse(fallback?.body ?? '{}').type, 'user.created');
  await cli.waitFor(/#3[\s\S]*→ answered 200/);

  const bad = await runCli(['listen', '--port', '0', '--forward', 'order.*=not a url']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /expected URL or PATTERN=URL/);
});

test('--save-fixtures keeps each caught event; trigger --fixture --set sends it again, signed, with changes', {
  timeout: TIMEOUT,
}, async (t) => {
  const secret = generateSecret();
  const { cli, base } = await listen(t, ['--secret', secret, '--save-fixtures', join(dir0(t), 'fixtures')]);
  const sent = await runCli([
    'send',
    `${base}/hook`,
    '--type',
    'invoice.paid',
    '--data',
    '{"amount":4200,"currency":"EUR"}',
    '--secret',
    secret,
  ]);
  assert.equal(sent.code, 0, sent.stderr);
  const out = await cli.waitFor(/saved as a fixture: (.*\.json)/);
  const path = (/saved as a fixture: (.*\.json)/.exec(out) as RegExpExecArray)[1] as string;
  const fixture = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(fixture.provider, 'standard');
  assert.equal(fixture.event, 'invoice.paid');
  assert.deepEqual(fixture.payload.data, { amount: 4200, currency: 'EUR' });

  const again = await runCli([
    'trigger',
    '--fixture',
    path,
    '--set',
    'data.amount=5000',
    '--set',
    'data.note=hello world',
    '--set',
    'data.tags=["a","b"]',
    '--to',
    `${base}/hook`,
    '--secret',
    secret,
  ]);
  assert.equal(again.code, 0, again.stderr);
  const second = await cli.waitFor(/#2[\s\S]*→ answered 200/);
  const block = second.slice(second.indexOf('#2'));
  assert.match(block, /✓ signature verified \(standard, detected\)/);
  assert.match(block, /"amount": 5000/);
  assert.match(block, /"note": "hello world"/);
  assert.match(block, /"currency": "EUR"/);
});
