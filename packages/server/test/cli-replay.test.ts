/**
 * `hookd replay` against a running `hookd serve`: --dry-run counts, a replay restores failed deliveries once the
 * receiver is back and ends in the right summary, and failures give the exit codes scripts rely on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { callApi, eventually } from './helpers/hookd.js';
import { freePort, serveHookd } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

test('replay: dry-run counts, then failed deliveries are sent again and the summary says they got through', {
  timeout: 120_000,
}, async (t) => {
  let failing = true;
  const receiver = await startReceiver(() => (failing ? { status: 500, body: 'down' } : { status: 200 }));
  t.after(() => receiver.close());
  // One delivery per batch with a rest between them: the job's progress moves in steps the CLI shows.
  const { base, dataDir } = await serveHookd(t, { HOOKD_RECOVERY_BATCH: '1', HOOKD_RECOVERY_PAUSE: '300ms' });
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const call = (method: string, path: string, body?: unknown) => callApi(base, token, method, path, body);

  await call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const orders = (await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/orders`, events: ['order.*'] })).body;
  const payments = (await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/payments`, events: ['payment.*'] }))
    .body;
  await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/quiet`, events: ['nothing.*'] });
  for (const type of ['order.created', 'order.paid', 'order.shipped', 'payment.completed']) {
    assert.equal((await call('POST', '/v1/apps/acme/events', { type, data: {} })).status, 202);
  }
  await eventually(
    async () => {
      const failed = await call('GET', '/v1/apps/acme/deliveries?status=failed');
      return failed.body.data.length === 4 ? true : undefined;
    },
    30_000,
    'four failed deliveries',
  );

  // The CLI finds the admin token where `hookd serve` keeps it.
  const env = { HOOKD_URL: base, HOOKD_DATA_DIR: dataDir, NO_COLOR: '1' };
  const dry = await runCli(['replay', '--app', 'acme', '--since', '1h', '--dry-run'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`^ +3 {2}${orders.id} `, 'm'));
  assert.match(dry.stdout, new RegExp(`^ +1 {2}${payments.id} `, 'm'));
  assert.match(dry.stdout, /would replay 4 failed deliveries created since .* \(--dry-run: nothing sent\)\n$/);
  const dryJson = JSON.parse(
    (await runCli(['replay', '--app', 'acme', '--endpoint', orders.id, '--since', '1h', '--dry-run', '--json'], { env })).stdout,
  );
  assert.equal(dryJson.total, 3);
  assert.equal((await call('GET', '/v1/apps/acme/deliveries?status=failed')).body.data.length, 4, 'a dry run sends nothing');

  failing = false;
  const before = receiver.requests.length;
  const run = await runCli(['replay', '--app', 'acme', '--since', '1h'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^ {2}queued 0\/4\n(.*\n)* {2}queued 4\/4\n/m, "the recovery job's progress, from its start");
  assert.match(run.stderr, /4\/4 attempted: 4 delivered, 0 failed again\n$/);
  assert.equal(run.stdout, 'replayed 4 failed deliveries to 2 endpoints: 4 delivered, 0 failed again\n');
  assert.equal(receiver.requests.length - before, 4);
  const all = await call('GET', '/v1/apps/acme/deliveries');
  assert.deepEqual(
    all.body.data.map((d: { status: string }) => d.status),
    ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
  );

  const nothing = await runCli(['replay', '--app', 'acme', '--since', '1h', '--json'], { env });
  assert.equal(nothing.code, 0);
  assert.equal(JSON.parse(nothing.stdout).replayed, 0);
});

test('replay: exit 2 when deliveries fail again or hookd refuses, 3 when it cannot be reached, 4 for no such app, 1 on bad flags', {
  timeout: 120_000,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 503 }));
  t.after(() => receiver.close());
  const { base, dataDir } = await serveHookd(t, { HOOKD_ADMIN_TOKEN: 'replay-token-0123456789abcdefghijklmn' });
  const call = (method: string, path: string, body?: unknown) =>
    callApi(base, 'replay-token-0123456789abcdefghijklmn', method, path, body);
  await call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await call('POST', '/v1/apps/shop/endpoints', { url: receiver.url });
  await call('POST', '/v1/apps/shop/events', { type: 'a.b', data: {} });
  await eventually(
    async () => ((await call('GET', '/v1/apps/shop/deliveries?status=failed')).body.data.length === 1 ? true : undefined),
    30_000,
  );

  const flags = ['--url', base, '--token', 'replay-token-0123456789abcdefghijklmn'];
  const again = await runCli(['replay', '--app', 'shop', '--since', '10m', '--json', ...flags]);
  assert.equal(again.code, 2, again.stderr);
  const summary = JSON.parse(again.stdout);
  assert.deepEqual([summary.replayed, summary.delivered, summary.failedAgain], [1, 0, 1]);

  const badToken = await runCli(['replay', '--app', 'shop', '--since', '1h', '--url', base, '--token', 'wrong']);
  assert.equal(badToken.code, 2);
  assert.match(badToken.stderr, /refused the token/);
  const noApp = await runCli(['replay', '--app', 'nope', '--since', '1h', ...flags]);
  assert.equal(noApp.code, 4);
  assert.match(noApp.stderr, /app_not_found/);
  const badSince = await runCli(['replay', '--app', 'shop', '--since', 'yesterday', ...flags]);
  assert.equal(badSince.code, 1);
  assert.match(badSince.stderr, /--since "yesterday" is neither a duration nor a time/);
  const closed = await freePort();
  const unreachable = await runCli([
    'replay',
    '--app',
    'shop',
    '--since',
    '1h',
    '--url',
    `http://127.0.0.1:${closed}`,
    '--token',
    't',
  ]);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot reach hookd at/);
  assert.match(unreachable.stderr, /HOOKD_URL/);
  const noToken = await runCli(['replay', '--app', 'shop', '--since', '1h', '--url', base], {
    env: { HOOKD_DATA_DIR: join(dataDir, 'empty') },
  });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /no API token/);
});
