/**
 * Endpoint health end to end, on an injected clock: an endpoint failing for longer than HOOKD_DISABLE_AFTER
 * is disabled with its reason and its pending deliveries failed, a success restarts the clock, stats show
 * the last hour and day, and one enable call brings it back and replays what failed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const APP = '/v1/apps/acme';
const T = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

test('an endpoint failing for longer than disableAfter is disabled, a success resets the clock, enable replays', async (t) => {
  let now = T;
  let status = 500;
  const receiver = await startReceiver(() => ({ status }));
  // Retries a minute apart in the injected time: each step of the clock lets exactly one attempt per delivery through.
  const server = await startTestHookd(
    { disableAfter: '1h', retrySchedule: Array(30).fill('1m').join(','), lease: '2s' },
    { clock: () => now },
  );
  t.after(async () => {
    await receiver.close();
    await server.close();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const created = await server.call('POST', `${APP}/endpoints`, { url: receiver.url });
  assert.equal(created.status, 201);
  const ep = `${APP}/endpoints/${created.body.id}`;

  const stats = async () => {
    const answer = await server.call('GET', `${ep}/stats`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  /** Waits until the receiver has had `count` requests and hookd has recorded each of them. */
  const attempted = async (count: number) => {
    await receiver.waitFor(count);
    await eventually(
      async () => ((await stats()).windows['24h'].attempts >= count ? true : undefined),
      5000,
      `${count} attempts`,
    );
  };
  const publish = async () =>
    assert.equal((await server.call('POST', `${APP}/events`, { type: 'order.created', data: {} })).status, 202);

  await publish();
  await attempted(1); // at T: 500
  now = T + 40 * MINUTE;
  await attempted(2); // the retry: 500
  assert.equal((await stats()).failingSince, iso(T));
  status = 200;
  now = T + 41 * MINUTE;
  await attempted(3); // the retry succeeds
  const afterSuccess = await stats();
  assert.equal(afterSuccess.failingSince, null);
  assert.deepEqual(afterSuccess.deliveries, { pending: 0, succeeded: 1, failed: 0, skipped: 0 });
  assert.equal(afterSuccess.windows['1h'].attempts, 3);
  assert.equal(afterSuccess.windows['1h'].successes, 1);
  assert.equal(afterSuccess.windows['1h'].successRate, 1 / 3);
  assert.equal(afterSuccess.windows['1h'].latencyMs.p50, 0, 'the injected clock does not move during an attempt');

  status = 500;
  now = T + 70 * MINUTE;
  const hourLater = await stats();
  assert.deepEqual(
    [hourLater.windows['1h'].attempts, hourLater.windows['1h'].successes, hourLater.windows['1h'].successRate],
    [2, 1, 0.5],
    'the attempt at T has left the last hour',
  );
  assert.deepEqual([hourLater.windows['24h'].attempts, hourLater.windows['24h'].successRate], [3, 1 / 3]);

  // 70 minutes after the first failure, but the success at T+41m started the clock again.
  await publish();
  await publish();
  await attempted(5);
  now = T + 129 * MINUTE;
  await attempted(7);
  assert.equal((await server.call('GET', ep)).body.disabled, false, '59 minutes of failures: still enabled');
  assert.equal((await stats()).failingSince, iso(T + 70 * MINUTE));

  now = T + 131 * MINUTE;
  // Both deliveries are claimed together; the first failure recorded disables, the second then fails too.
  await attempted(9);
  const disabled = await eventually(async () => {
    const endpoint = (await server.call('GET', ep)).body;
    return endpoint.disabled ? endpoint : undefined;
  });
  assert.equal(disabled.disabledReason, `failed without a success since ${iso(T + 70 * MINUTE)}`);
  assert.equal(disabled.disabledAt, iso(T + 131 * MINUTE));
  const failed = await eventually(async () => {
    const s = await stats();
    return s.deliveries.pending === 0 ? s.deliveries : undefined;
  });
  assert.deepEqual(
    failed,
    { pending: 0, succeeded: 1, failed: 2, skipped: 0 },
    'the pending deliveries failed with the endpoint',
  );
  now = T + 140 * MINUTE;
  await server.idle(); // the worker looked at T + 140 min: nothing is sent to a disabled endpoint
  assert.equal(receiver.requests.length, 9);

  status = 200;
  const enabled = await server.call('POST', `${ep}/enable`, { replayFailedSince: iso(T + 60 * MINUTE) });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  assert.equal(enabled.body.replayed, 2);
  assert.equal(enabled.body.endpoint.disabled, false);
  assert.equal(enabled.body.endpoint.disabledReason, null);
  await receiver.waitFor(11);
  const healthy = await eventually(async () => {
    const s = await stats();
    return s.deliveries.succeeded === 3 ? s : undefined;
  });
  assert.deepEqual(healthy.deliveries, { pending: 0, succeeded: 3, failed: 0, skipped: 0 });
  assert.equal(healthy.failingSince, null);
  assert.deepEqual(
    [healthy.windows['1h'].attempts, healthy.windows['1h'].successes],
    [2 + 2 + 2, 2],
    'last hour (T+80m on): two failures at T+129m, two at T+131m, then the two replays',
  );
});

test('enable without a body only enables; an unknown endpoint is a 404', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const created = await server.call('POST', `${APP}/endpoints`, { url: 'http://127.0.0.1:9/hook' });
  const ep = `${APP}/endpoints/${created.body.id}`;
  assert.equal((await server.call('PATCH', ep, { disabled: true })).body.disabled, true);
  const enabled = await server.call('POST', `${ep}/enable`);
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  assert.deepEqual([enabled.body.endpoint.disabled, enabled.body.replayed], [false, 0]);
  assert.equal((await server.call('POST', `${APP}/endpoints/ep_nope/enable`, {})).body.error.code, 'endpoint_not_found');
  assert.equal((await server.call('POST', `${ep}/enable`, { replayFailedSince: 'yesterday' })).status, 400);
});
