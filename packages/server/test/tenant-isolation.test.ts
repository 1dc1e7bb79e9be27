/**
 * Delivery isolation between tenants, on SQLite and on PostgreSQL: a hung endpoint does not hold up another app's
 * endpoint on the same origin, one app with many hung endpoints does not take the whole worker, each app keeps to its
 * in-flight cap, and an app cannot register more endpoints than the limit.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { RawSettings } from '../src/index.js';
import { startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { mostAtOnce, type Received, type Receiver, startReceiver } from './helpers/receiver.js';

type Backend = 'sqlite' | 'postgres';

// An attempt may hang for this long, far longer than any bound below: a delivery that waited behind a hung one
// would show up as a late arrival, not be freed by a timeout.
const HUNG: RawSettings = { timeout: '20s', lease: '40s' };

/** A hookd on the backend, closed (receivers first, so hung attempts end at once) after the test. */
async function hookdOn(
  t: TestContext,
  backend: Backend,
  settings: RawSettings,
  receivers: Receiver[],
): Promise<TestHookd | null> {
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (backend === 'postgres') {
    const db = await testDatabase(t);
    if (!db) return null;
    databaseUrl = db.url;
    drop = db.drop;
  }
  const hookd = await startTestHookd({ ...settings, ...(databaseUrl ? { databaseUrl } : {}) });
  t.after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await hookd.close();
    await drop();
  });
  return hookd;
}

/** Publishes `count` events to the app from a few loops at once. */
async function publish(hookd: TestHookd, app: string, count: number, parallel = 8): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const i = next++;
      const { status } = await hookd.call('POST', `/v1/apps/${app}/events`, { type: 'order.created', data: { i } });
      assert.equal(status, 202);
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  test(`${backend}: a hung endpoint does not hold up another app's endpoint on the same origin`, async (t) => {
    // One receiver, two paths: /slow… never answers, /fast… answers at once.
    const receiver = await startReceiver((request) => (request.path.startsWith('/slow') ? { hang: true } : { status: 200 }));
    const hookd = await hookdOn(t, backend, HUNG, [receiver]);
    if (!hookd) return;
    const origin = new URL(receiver.url).origin;
    await hookd.call('POST', '/v1/apps', { uid: 'slow', name: 'Slow' });
    await hookd.call('POST', '/v1/apps', { uid: 'fast', name: 'Fast' });
    assert.equal((await hookd.call('POST', '/v1/apps/slow/endpoints', { url: `${origin}/slow-hook` })).status, 201);
    assert.equal((await hookd.call('POST', '/v1/apps/fast/endpoints', { url: `${origin}/fast-hook` })).status, 201);

    await publish(hookd, 'slow', 200);
    const hung = () => receiver.requests.filter((r) => r.path.startsWith('/slow')).length;
    // The hung endpoint has taken its connections before the other app publishes.
    while (hung() < 32) await receiver.waitFor(receiver.requests.length + 1, 10_000);
    const started = Date.now();
    await publish(hookd, 'fast', 50);
    const fast = () => receiver.requests.filter((r) => r.path.startsWith('/fast'));
    while (fast().length < 50) await receiver.waitFor(receiver.requests.length + 1, 5_000);
    const latest = Math.max(...fast().map((r) => r.at)) - started;
    t.diagnostic(`50 deliveries to the fast endpoint all arrived ${latest} ms after their first publish`);
    assert.ok(latest < 3_000, `the fast endpoint's 50 took ${latest} ms`);
    assert.ok(hung() <= 32, `the hung endpoint got ${hung()} requests at once, more than its cap of 32`);
  });

  test(`${backend}: an app with many hung endpoints leaves the worker to the other apps`, async (t) => {
    const hanging = await startReceiver(() => ({ hang: true }));
    const healthy = await startReceiver();
    const hookd = await hookdOn(t, backend, HUNG, [hanging, healthy]);
    if (!hookd) return;
    const origin = new URL(hanging.url).origin;
    await hookd.call('POST', '/v1/apps', { uid: 'noisy', name: 'Noisy' });
    await hookd.call('POST', '/v1/apps', { uid: 'quiet', name: 'Quiet' });
    for (let i = 0; i < 10; i++) await hookd.call('POST', '/v1/apps/noisy/endpoints', { url: `${origin}/hook-${i}` });
    await hookd.call('POST', '/v1/apps/quiet/endpoints', { url: healthy.url });

    // 300 deliveries, more than the worker's 256 slots, all of them hanging.
    await publish(hookd, 'noisy', 30);
    await hanging.waitFor(32, 10_000);
    const started = Date.now();
    await hookd.call('POST', '/v1/apps/quiet/events', { type: 'order.created', data: {} });
    const [arrived] = await healthy.waitFor(1, 5_000);
    const latency = (arrived as Received).at - started;
    t.diagnostic(`the healthy app's delivery arrived ${latency} ms after its publish, beside ${hanging.requests.length} hung`);
    assert.ok(latency < 2_000, `the healthy app's delivery took ${latency} ms`);
    // HOOKD_APP_CONCURRENCY's default: half the worker's 256 slots.
    assert.ok(hanging.requests.length <= 128, `the hung app had ${hanging.requests.length} deliveries in flight`);
  });

  test(`${backend}: each app keeps to its in-flight cap, its own or the default`, async (t) => {
    const delayMs = 150;
    const capped = await startReceiver(() => ({ status: 200, delayMs }));
    const standard = await startReceiver(() => ({ status: 200, delayMs }));
    const hookd = await hookdOn(t, backend, { appConcurrency: 5 }, [capped, standard]);
    if (!hookd) return;
    const created = await hookd.call('POST', '/v1/apps', { uid: 'capped', name: 'Capped', maxInFlight: 2 });
    assert.equal(created.status, 201);
    assert.equal(created.body.maxInFlight, 2);
    await hookd.call('POST', '/v1/apps', { uid: 'standard', name: 'Standard' });
    assert.equal((await hookd.call('GET', '/v1/apps/standard')).body.maxInFlight, null);
    // Three endpoints each, so each endpoint's own cap is far above the app's.
    for (let i = 0; i < 3; i++) {
      await hookd.call('POST', '/v1/apps/capped/endpoints', { url: `${capped.url}/${i}` });
      await hookd.call('POST', '/v1/apps/standard/endpoints', { url: `${standard.url}/${i}` });
    }
    // A PATCH changes the cap; null goes back to the default.
    assert.equal((await hookd.call('PATCH', '/v1/apps/capped', { maxInFlight: 3 })).body.maxInFlight, 3);
    assert.equal((await hookd.call('PATCH', '/v1/apps/capped', { maxInFlight: 0 })).status, 400);

    await Promise.all([publish(hookd, 'capped', 10), publish(hookd, 'standard', 10)]);
    const [cappedRequests, standardRequests] = await Promise.all([capped.waitFor(30, 15_000), standard.waitFor(30, 15_000)]);
    assert.equal(mostAtOnce(cappedRequests, delayMs), 3, 'the app’s own cap holds, and is used');
    assert.equal(mostAtOnce(standardRequests, delayMs), 5, 'the default cap holds, and is used');
  });

  test(`${backend}: an app cannot register more endpoints than the limit`, async (t) => {
    const hookd = await hookdOn(t, backend, { maxEndpointsPerApp: 3 }, []);
    if (!hookd) return;
    await hookd.call('POST', '/v1/apps', { uid: 'full', name: 'Full' });
    await hookd.call('POST', '/v1/apps', { uid: 'other', name: 'Other' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await hookd.call('POST', '/v1/apps/full/endpoints', { url: `http://127.0.0.1:9/${i}` });
      assert.equal(status, 201);
      ids.push(body.id);
    }
    const refused = await hookd.call('POST', '/v1/apps/full/endpoints', { url: 'http://127.0.0.1:9/3' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'endpoint_limit_reached');
    assert.match(refused.body.error.message, /3/);
    // Another app has its own count; a deleted endpoint frees its place.
    assert.equal((await hookd.call('POST', '/v1/apps/other/endpoints', { url: 'http://127.0.0.1:9/o' })).status, 201);
    assert.equal((await hookd.call('DELETE', `/v1/apps/full/endpoints/${ids[0]}`)).status, 204);
    assert.equal((await hookd.call('POST', '/v1/apps/full/endpoints', { url: 'http://127.0.0.1:9/4' })).status, 201);
  });
}
