/**
 * Endpoint delivery limits over real HTTP: the rate measured at the receiver, FIFO order through failures, and on
 * PostgreSQL both limits held across two worker processes.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { CLUSTER_TOKEN, startCluster } from './helpers/cluster.js';
import { callApi, startTestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { mostAtOnce, type Received, type Responder, startReceiver } from './helpers/receiver.js';

/**
 * Deliveries per second: the slope of the arrival count over time (least squares), so batches arriving together do
 * not tip it. The first quarter is left out: it holds the warm-up (each worker's first claims and connections), whose
 * stalls and catch-up say nothing about the steady rate.
 */
function measuredRate(requests: Received[]): number {
  const all = requests.map((r) => r.at).sort((a, b) => a - b);
  const times = all.slice(Math.floor(all.length / 4));
  const n = times.length;
  const meanT = times.reduce((sum, t) => sum + t, 0) / n;
  const meanI = (n - 1) / 2;
  let cov = 0;
  let variance = 0;
  for (const [i, t] of times.entries()) {
    cov += (t - meanT) * (i - meanI);
    variance += (t - meanT) ** 2;
  }
  return (cov / variance) * 1000;
}

function assertNear(t: TestContext, actual: number, expected: number, what: string) {
  t.diagnostic(`${what}: ${actual.toFixed(2)}/s for a limit of ${expected}/s`);
  assert.ok(Math.abs(actual - expected) <= expected * 0.1, `${what}: ${actual.toFixed(1)}/s, not within 10% of ${expected}/s`);
}

test('a rate-limited endpoint receives its deliveries at the rate, within 10%', async (t) => {
  const receiver = await startReceiver();
  const hookd = await startTestHookd();
  t.after(() => Promise.all([hookd.close(), receiver.close()]));
  await hookd.call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await hookd.call('POST', '/v1/apps/shop/endpoints', { url: receiver.url, rateLimit: 20 });
  for (let i = 0; i < 60; i++) await hookd.call('POST', '/v1/apps/shop/events', { type: 'order.created', data: { i } });
  const requests = await receiver.waitFor(60, 15_000);
  assertNear(t, measuredRate(requests), 20, 'measured rate');
});

test('a FIFO endpoint receives in publish order; a failing delivery holds back the rest until it succeeds or exhausts', async (t) => {
  const attemptsOf = new Map<number, number>();
  // Message 1 fails twice then succeeds; message 3 fails every attempt (the schedule gives three) and exhausts.
  const respond: Responder = (request) => {
    const { n } = JSON.parse(request.body).data as { n: number };
    const attempt = (attemptsOf.get(n) ?? 0) + 1;
    attemptsOf.set(n, attempt);
    const fails = (n === 1 && attempt <= 2) || n === 3;
    return { status: fails ? 500 : 200, delayMs: 5 };
  };
  const receiver = await startReceiver(respond);
  const hookd = await startTestHookd();
  t.after(() => Promise.all([hookd.close(), receiver.close()]));
  await hookd.call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  const { body: endpoint } = await hookd.call('POST', '/v1/apps/shop/endpoints', { url: receiver.url, fifo: true });
  assert.equal(endpoint.fifo, true);
  for (let n = 0; n < 6; n++) await hookd.call('POST', '/v1/apps/shop/events', { type: 'order.created', data: { n } });

  const requests = await receiver.waitFor(1 + 3 + 1 + 3 + 2, 15_000);
  const order = requests.map((r) => (JSON.parse(r.body).data as { n: number }).n);
  assert.deepEqual(order, [0, 1, 1, 1, 2, 3, 3, 3, 4, 5]);
  assert.equal(mostAtOnce(requests, 5), 1, 'never two at once');
});

test('PostgreSQL: two worker processes keep an endpoint within its in-flight cap and its rate', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const delayMs = 100;
  const capped = await startReceiver(() => ({ status: 200, delayMs }));
  const paced = await startReceiver();
  const cluster = await startCluster(db.url, { apis: 1, workers: 2 });
  t.after(async () => {
    await cluster.close();
    await Promise.all([capped.close(), paced.close()]);
    await db.drop();
  });
  const api = cluster.apis[0]?.base as string;
  const call = (method: string, path: string, body?: unknown) => callApi(api, CLUSTER_TOKEN, method, path, body);
  await call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await call('POST', '/v1/apps/shop/endpoints', { url: capped.url, events: ['capped'], maxInFlight: 2 });
  await call('POST', '/v1/apps/shop/endpoints', { url: paced.url, events: ['paced'], rateLimit: 20 });
  // Published faster than either endpoint takes them, so their limits, not the publishing, set the pace.
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      Promise.all([cluster.publish(i, 'shop', 'capped', { i }), cluster.publish(i, 'shop', 'paced', { i })]),
    ),
  );
  const [cappedRequests, pacedRequests] = await Promise.all([capped.waitFor(60, 20_000), paced.waitFor(60, 20_000)]);
  assert.equal(mostAtOnce(cappedRequests, delayMs), 2, 'two in flight at most, and the cap is used');
  assertNear(t, measuredRate(pacedRequests), 20, 'measured rate across two workers');
});
