/**
 * `hookd tail` against a running `hookd serve`: each attempt appears as one line as it happens, coloured by its
 * outcome, or as JSON; it filters by app and endpoint, and says clearly when hookd cannot be reached or refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, startCli } from './helpers/cli.js';
import { callApi } from './helpers/hookd.js';
import { freePort, serveHookd } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

/** The start of an ANSI colour sequence: none may appear when NO_COLOR is set. */
const ESC = String.fromCharCode(27);

const TOKEN = 'tail-token-0123456789abcdefghijklmnopq';

async function serve(t: { after(fn: () => unknown): void }) {
  const { base } = await serveHookd(t, { HOOKD_ADMIN_TOKEN: TOKEN });
  return { base, call: (method: string, path: string, body?: unknown) => callApi(base, TOKEN, method, path, body) };
}

test('tail prints each attempt as it happens, one line, coloured by outcome; --json and filters', {
  timeout: 90_000,
}, async (t) => {
  let n = 0;
  // The first attempt at the failing endpoint fails, every later one succeeds.
  const receiver = await startReceiver((request) =>
    request.path.endsWith('/flaky') && n++ === 0 ? { status: 503 } : { status: 200 },
  );
  t.after(() => receiver.close());
  const { base, call } = await serve(t);
  await call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  await call('POST', '/v1/apps', { uid: 'other', name: 'Other' });
  const flaky = (await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/flaky` })).body;
  await call('POST', '/v1/apps/other/endpoints', { url: `${receiver.url}/other` });

  const env = { HOOKD_URL: base, HOOKD_TOKEN: TOKEN };
  const lines = startCli(['tail', '--app', 'acme'], { env: { ...env, FORCE_COLOR: '1' } });
  const json = startCli(['tail', '--app', 'acme', '--endpoint', flaky.id, '--json'], { env });
  const every = startCli(['tail'], { env: { ...env, NO_COLOR: '1' } });
  t.after(async () => {
    await lines.stop();
    await json.stop();
    await every.stop();
  });
  for (const cli of [lines, json, every]) await cli.waitFor('Ctrl-C to stop', { stream: 'stderr' });

  await call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} });
  await call('POST', '/v1/apps/other/events', { type: 'user.created', data: {} });

  const out = await lines.waitFor(/succeeded[\s\S]*\n/);
  const [retry, success] = out.trim().split('\n');
  assert.match(retry ?? '', /↻ retrying.*503.*order\.created.*→ http:\/\/127\.0\.0\.1:\d+\/webhook\/flaky.* #1/);
  assert.ok(retry?.includes(`${ESC}[33m↻ retrying`), 'retrying is yellow');
  assert.match(success ?? '', /✓ succeeded.*200.*order\.created.* #2/);
  assert.ok(success?.includes(`${ESC}[32m✓ succeeded`), 'succeeded is green');
  assert.doesNotMatch(out, /user\.created/, 'another app’s attempts are not shown');

  const printed = await json.waitFor(/"outcome":"succeeded"/);
  const events = printed
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(
    events.map((e) => [e.outcome, e.responseStatus, e.number, e.endpointId]),
    [
      ['retrying', 503, 1, flaky.id],
      ['succeeded', 200, 2, flaky.id],
    ],
  );

  const all = await every.waitFor(/user\.created/);
  assert.match(all, /^\d\d:\d\d:\d\d\.\d{3} {2}✓ succeeded +200 .*user\.created/m);
  assert.ok(!all.includes(ESC), 'NO_COLOR');
});

test('tail: exit 3 when hookd cannot be reached, 2 when it refuses the token, 4 when the app does not exist', {
  timeout: 90_000,
}, async (t) => {
  const { base } = await serve(t);
  const closed = await freePort();
  const unreachable = await runCli(['tail', '--url', `http://127.0.0.1:${closed}`, '--token', TOKEN]);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot reach hookd/);
  const refused = await runCli(['tail', '--url', base, '--token', 'wrong']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refused the token/);
  const noApp = await runCli(['tail', '--url', base, '--token', TOKEN, '--app', 'nope']);
  assert.equal(noApp.code, 4);
  assert.match(noApp.stderr, /app_not_found/);
  const usage = await runCli(['tail', '--endpoint', 'ep_1', '--url', base, '--token', TOKEN]);
  assert.equal(usage.code, 1);
});

test('tail shows when a retrying delivery’s next attempt is due (nextAttemptAt with --json)', { timeout: 90_000 }, async (t) => {
  const receiver = await startReceiver(() => ({ status: 503 }));
  t.after(() => receiver.close());
  const { base } = await serveHookd(t, { HOOKD_ADMIN_TOKEN: TOKEN, HOOKD_RETRY_SCHEDULE: '0,1h' });
  const call = (method: string, path: string, body?: unknown) => callApi(base, TOKEN, method, path, body);
  await call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  await call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/down` });
  const env = { HOOKD_URL: base, HOOKD_TOKEN: TOKEN };
  const lines = startCli(['tail', '--app', 'acme'], { env: { ...env, NO_COLOR: '1' } });
  const json = startCli(['tail', '--app', 'acme', '--json'], { env });
  t.after(async () => {
    await lines.stop();
    await json.stop();
  });
  for (const cli of [lines, json]) await cli.waitFor('Ctrl-C to stop', { stream: 'stderr' });
  const before = Date.now();
  await call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} });

  const out = await lines.waitFor(/retrying[^\n]*\n/);
  assert.match(out, /↻ retrying +503 .*#1 .*next attempt in (59|60)m \(\d\d:\d\d:\d\d\)/);
  const event = JSON.parse((await json.waitFor(/"outcome":"retrying".*\n/)).trim().split('\n')[0] as string);
  const due = Date.parse(event.nextAttemptAt) - before;
  assert.ok(due > 3_500_000 && due <= 3_600_000 + 60_000, `due in ${due} ms`);
});
