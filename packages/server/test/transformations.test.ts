/**
 * Endpoint transformations end to end, over real HTTP on loopback: the body, headers and path a transformation makes
 * are what arrives, signed over the transformed body; a hostile corpus is stopped, each with its message, while
 * another endpoint keeps delivering; a cancel skips; a fix and a retry deliver. On SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { verify } from '@hookd/sdk';
import type { RawSettings } from '../src/index.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { startReceiver } from './helpers/receiver.js';

const SLACK = `function handler(webhook) {
  const event = webhook.payload;
  webhook.url = '/slack?from=hookd';
  webhook.headers['x-slack-channel'] = '#billing';
  webhook.payload = { text: 'Invoice ' + event.data.invoice + ' paid: ' + event.data.amount + ' EUR' };
  return webhook;
}`;

async function hookdOn(t: TestContext, store: 'SQLite' | 'PostgreSQL', settings: RawSettings = {}): Promise<TestHookd | null> {
  const db = store === 'PostgreSQL' ? await testDatabase(t) : null;
  if (store === 'PostgreSQL' && db === null) return null;
  // A transformation thread's first start (tsx compiling its sources, the engine loading) can outlast FAST's 2 s lease
  // on a busy machine, and a lease that runs out repeats the attempt.
  const server = await startTestHookd({ lease: '30s', ...settings, ...(db ? { databaseUrl: db.url } : {}) });
  t.after(async () => {
    await server.close();
    await db?.drop();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return server;
}

async function deliveryOf(server: TestHookd, messageId: string, endpointId: string) {
  const { body } = await server.call('GET', `/v1/apps/acme/events/${messageId}/deliveries`);
  const delivery = body.data.find((d: { endpointId: string }) => d.endpointId === endpointId);
  return (await server.call('GET', `/v1/apps/acme/deliveries/${delivery.id}`)).body;
}

/** The delivery once it is no longer pending (its retries run 50 ms apart). */
function settled(server: TestHookd, messageId: string, endpointId: string, timeoutMs = 10_000) {
  return eventually(
    async () => {
      const delivery = await deliveryOf(server, messageId, endpointId);
      return delivery.status === 'pending' ? undefined : delivery;
    },
    timeoutMs,
    `the delivery of ${messageId} to ${endpointId} to settle`,
  );
}

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  test(`${store}: a transformation changes body, headers and path, and the receiver verifies the signature over what it got`, async (t) => {
    const server = await hookdOn(t, store);
    if (!server) return;
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/hooks`, transformation: SLACK });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.transformation, SLACK);
    assert.equal((await server.call('GET', `/v1/apps/acme/endpoints/${created.body.id}`)).body.transformation, SLACK);

    const published = await server.call('POST', '/v1/apps/acme/events', {
      type: 'invoice.paid',
      data: { invoice: 'F-7', amount: 12 },
    });
    const [request] = await receiver.waitFor(1);
    assert.equal(request?.path, '/slack?from=hookd');
    assert.equal(request?.headers['x-slack-channel'], '#billing');
    assert.equal(request?.body, '{"text":"Invoice F-7 paid: 12 EUR"}');
    verify('standard', { body: request?.body ?? '', headers: request?.headers ?? {}, secrets: created.body.secret });
    assert.equal(request?.headers['webhook-id'], published.body.id);

    const tried = await server.call('POST', `/v1/apps/acme/endpoints/${created.body.id}/test-transformation`, {
      messageId: published.body.id,
    });
    assert.equal(tried.status, 200);
    assert.equal(tried.body.outcome, 'send');
    assert.equal(tried.body.request.body, request?.body, 'the trial shows what was sent');
    assert.equal(tried.body.request.url, new URL('/slack?from=hookd', receiver.url).href);
    verify('standard', { body: tried.body.request.body, headers: tried.body.request.headers, secrets: created.body.secret });
    const delivered = await settled(server, published.body.id, created.body.id);
    assert.equal(delivered.attempts[0].requestBody, request?.body, 'the attempt keeps the bytes signed and sent');
  });
}

test('PostgreSQL: a cancelled delivery is skipped; a failing one is retried and delivers once the code is fixed', async (t) => {
  const server = await hookdOn(t, 'PostgreSQL');
  if (!server) return;
  await cancelAndFix(t, server);
});

test('SQLite: a cancelled delivery is skipped; a failing one is retried and delivers once the code is fixed', async (t) => {
  const server = await hookdOn(t, 'SQLite');
  if (server) await cancelAndFix(t, server);
});

async function cancelAndFix(t: TestContext, server: TestHookd) {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const skipping = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: receiver.url,
    transformation: 'function handler(w) { return w.payload.data.keep ? w : { cancel: true }; }',
  });
  const broken = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: receiver.url,
    transformation: 'function handler(w) { return w.payload.data.missing.field; }',
  });
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'a.b', data: { keep: false } });
  const skipped = await settled(server, published.body.id, skipping.body.id);
  assert.equal(skipped.status, 'skipped');
  assert.equal(skipped.skipReason, 'transformation: cancelled');
  const failed = await settled(server, published.body.id, broken.body.id);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.attempts.length, 3, 'retried like any failure');
  assert.equal(failed.attempts[0].error.code, 'transformation_failed');
  assert.match(failed.attempts[0].error.message, /TypeError: cannot read property 'field' of undefined/);
  assert.equal(receiver.requests.length, 0);

  const fixed = 'function handler(w) { w.payload = { fixed: true }; return w; }';
  assert.equal((await server.call('PATCH', `/v1/apps/acme/endpoints/${broken.body.id}`, { transformation: fixed })).status, 200);
  assert.equal((await server.call('POST', `/v1/apps/acme/deliveries/${failed.id}/retry`)).status, 202);
  const [request] = await receiver.waitFor(1);
  assert.equal(request?.body, '{"fixed":true}');
}

/** Hostile sources, each with what its attempt's message must say. */
const HOSTILE: [string, string, RegExp][] = [
  ['an infinite loop', 'function handler(w) { for (;;) {} }', /CPU time/],
  ['a memory bomb', "function handler(w) { w.payload = 'x'.repeat(64 * 1024 * 1024); return w; }", /memory/],
  ['deep recursion', 'function handler(w) { return handler(w); }', /stack overflow/],
  ['reaching for process', 'function handler(w) { w.payload = process.env; return w; }', /'process' is not defined/],
  ['reaching for require', "function handler(w) { return require('child_process'); }", /'require' is not defined/],
  [
    'globalThis outside the sandbox',
    "function handler(w) { return globalThis.process.mainModule.require('fs'); }",
    /cannot read property 'mainModule' of undefined/,
  ],
  [
    'prototype pollution',
    "function handler(w) { Object.prototype.polluted = 1; w.headers['webhook-signature'] = 'x'; return w; }",
    /set by hookd/,
  ],
  ['huge output', "function handler(w) { w.payload = 'y'.repeat(2 * 1024 * 1024); return w; }", /exceeds 1048576 characters/],
];

/** 1 MiB strings up to the memory cap: QuickJS checks no limit meanwhile, so only the deadline stops it (its thread). */
const STUCK = "function handler(w) { const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length); }";

test('a hostile corpus is stopped, each with transformation_failed and its message, while another endpoint keeps its pace', async (t) => {
  // The usual 1 s attempt timeout: nothing a transformation does holds the main thread.
  const server = await hookdOn(t, 'SQLite');
  assert.ok(server);
  const healthy = await startReceiver();
  const hostileReceiver = await startReceiver();
  t.after(async () => {
    await healthy.close();
    await hostileReceiver.close();
  });
  const good = await server.call('POST', '/v1/apps/acme/endpoints', { url: healthy.url });
  const hostile = new Map<string, RegExp>();
  for (const [what, source, message] of HOSTILE) {
    const created = await server.call('POST', '/v1/apps/acme/endpoints', {
      url: hostileReceiver.url,
      transformation: source,
      filter: { 'data.i': { $lt: 10 } },
    });
    assert.equal(created.status, 201, `${what}: ${JSON.stringify(created.body)}`);
    hostile.set(created.body.id, message);
  }
  // The first event only: each of its attempts holds a thread for the whole deadline.
  const stuck = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: hostileReceiver.url,
    transformation: STUCK,
    filter: { 'data.i': 0 },
  });
  hostile.set(stuck.body.id, /ran past its 2000 ms time limit and was stopped/);

  // One event at a time, the next once the healthy endpoint has the last, until the stuck endpoint's delivery (of the
  // first event) is done: the healthy endpoint's latency while the hostile ones run. They take the first ten only.
  const ids: string[] = [];
  const latencies: number[] = [];
  let stuckDelivery: { status: string; attempts: { startedAt: string; durationMs: number }[] } | undefined;
  const giveUpAt = Date.now() + 60_000;
  for (let i = 0; i < 10 || stuckDelivery === undefined; i++) {
    assert.ok(Date.now() < giveUpAt, 'the stuck delivery settles within a minute');
    const publishedAt = Date.now();
    ids.push((await server.call('POST', '/v1/apps/acme/events', { type: 'a.b', data: { i } })).body.id);
    const [request] = (await healthy.waitFor(i + 1, 10_000)).slice(i);
    latencies.push((request?.at ?? Number.POSITIVE_INFINITY) - publishedAt);
    const stuckNow = await deliveryOf(server, ids[0] as string, stuck.body.id);
    if (stuckNow.status !== 'pending') stuckDelivery = stuckNow;
  }
  for (const id of ids.slice(0, 10)) assert.equal((await settled(server, id, good.body.id)).status, 'succeeded');
  const stuckWindows = (stuckDelivery?.attempts ?? []).map(
    (a) => [Date.parse(a.startedAt), Date.parse(a.startedAt) + a.durationMs] as const,
  );
  const during = healthy.requests.filter((r) => stuckWindows.some(([from, to]) => r.at >= from && r.at <= to));
  t.diagnostic(
    `healthy endpoint, publish to arrival: max ${Math.max(...latencies)} ms over ${latencies.length} events, ` +
      `${during.length} of them while a stuck run held its thread (${stuckWindows.map(([from, to]) => `${to - from} ms`).join(', ')})`,
  );
  assert.ok(during.length >= 3, 'healthy deliveries arrived while stuck runs held their thread');
  // A run on the main thread would hold every delivery for the whole stuck run (seconds) and time the attempts out.
  for (const ms of latencies) assert.ok(ms < 1000, `a healthy delivery took ${ms} ms: ${latencies.join(', ')}`);
  for (const [endpointId, message] of hostile) {
    const delivery = await settled(server, ids[0] as string, endpointId, 60_000);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts[0].error.code, 'transformation_failed');
    assert.match(delivery.attempts[0].error.message, message);
  }
  assert.equal(hostileReceiver.requests.length, 0, 'nothing a hostile transformation made was sent');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'hookd’s own prototypes are untouched');
});

test('a transformation is checked when saved: 422 transformation_invalid for size, syntax and a missing handler', async (t) => {
  const server = await hookdOn(t, 'SQLite');
  assert.ok(server);
  const cases = ['function handler(w) {', 'const notAHandler = 1;', 'while (true) {}', `// ${'x'.repeat(64 * 1024)}`];
  for (const transformation of cases) {
    const answer = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/', transformation });
    assert.equal(answer.status, 422, transformation.slice(0, 40));
    assert.equal(answer.body.error.code, 'transformation_invalid');
  }
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/' });
  const patched = await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { transformation: 'function handler(' });
  assert.equal(patched.status, 422);
  const tried = await server.call('POST', `/v1/apps/acme/endpoints/${ep.body.id}/test-transformation`, {
    payload: { type: 'a.b', data: {} },
    transformation: 'function handler(w) { return null; }',
  });
  assert.deepEqual(tried.body, { outcome: 'cancel', request: null, error: null });
  const failing = await server.call('POST', `/v1/apps/acme/endpoints/${ep.body.id}/test-transformation`, {
    payload: 'plain text',
    transformation: 'function handler(w) { throw new Error(typeof w.payload); }',
  });
  assert.deepEqual(failing.body.error, { code: 'transformation_failed', message: 'Error: string' });
});
