/**
 * Ops events end to end: published into the hookd-ops app and delivered, signed, to the endpoints the operator
 * registers there — `endpoint.disabled`, `message.attempt.exhausted`, `endpoint.failing` and `ingest.silent`, each
 * once per episode and never about the ops app itself — and /readyz's schema check.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verify } from '@hookd/sdk';
import Database from 'better-sqlite3';
import pino from 'pino';
import { OpsEvents, type OpsMonitor } from '../src/ops/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { eventually, sharedDataDir, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { type Received, type Receiver, startReceiver } from './helpers/receiver.js';

const OPS = '/v1/apps/hookd-ops';
const T = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface OpsEvent {
  type: string;
  timestamp: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field
  data: any;
}

/** Registers `receiver` in the ops app for `events`; answers the endpoint's signing secret. */
async function subscribeOps(server: TestHookd, receiver: Receiver, events?: string[]): Promise<string> {
  const created = await server.call('POST', `${OPS}/endpoints`, { url: receiver.url, events });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.secret;
}

const received = (receiver: Receiver, type?: string): OpsEvent[] =>
  receiver.requests.map((r) => JSON.parse(r.body) as OpsEvent).filter((e) => type === undefined || e.type === type);

function monitor(server: TestHookd): OpsMonitor {
  return server.hookd.opsMonitor ?? assert.fail('a worker process runs the ops monitor');
}

test('an endpoint failing for too long is disabled, and the ops endpoint receives one signed endpoint.disabled', async (t) => {
  let now = T;
  const failing = await startReceiver(() => ({ status: 500 }));
  const opsReceiver = await startReceiver(() => ({ status: 200 }));
  const server = await startTestHookd(
    { disableAfter: '1h', retrySchedule: Array(10).fill('1m').join(','), opsInterval: '1h' },
    { clock: () => now },
  );
  t.after(async () => {
    await server.close();
    await Promise.all([failing.close(), opsReceiver.close()]);
  });
  const opsApp = await server.call('GET', OPS);
  assert.equal(opsApp.status, 200, 'the worker created the ops app at start');
  assert.equal(opsApp.body.name, 'hookd operations');
  const secret = await subscribeOps(server, opsReceiver, ['endpoint.*']);

  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = (await server.call('POST', '/v1/apps/acme/endpoints', { url: failing.url })).body;
  /** Waits until hookd has recorded `count` attempts at the failing endpoint. */
  const attempted = async (count: number) => {
    await failing.waitFor(count);
    await eventually(async () => {
      const { body } = await server.call('GET', `/v1/apps/acme/endpoints/${ep.id}/stats`);
      return body.windows['24h'].attempts >= count ? true : undefined;
    });
  };
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  await attempted(1); // at T
  now = T + 30 * MINUTE;
  await attempted(2);
  now = T + 61 * MINUTE; // an hour of failures without a success
  await attempted(3);

  const [request] = (await opsReceiver.waitFor(1)) as [Received];
  verify('standard', { body: request.body, headers: request.headers, secrets: secret, now: Math.floor(now / 1000) });
  const event = JSON.parse(request.body) as OpsEvent;
  assert.deepEqual(event, {
    type: 'endpoint.disabled',
    timestamp: iso(now),
    data: {
      appId: ep.appId,
      endpointId: ep.id,
      url: failing.url,
      reason: `failed without a success since ${iso(T)}`,
      disabledAt: iso(T + 61 * MINUTE),
    },
  });
  assert.equal((await server.call('GET', `/v1/apps/acme/endpoints/${ep.id}`)).body.disabled, true);
  const listed = await server.call('GET', `${OPS}/events`);
  assert.deepEqual(
    listed.body.data.map((m: { type: string }) => m.type),
    ['endpoint.disabled'],
    'ops events are listed in the ops app like any message',
  );
  assert.equal(request.headers['webhook-id'], listed.body.data[0].id);
  await server.idle(); // what must not happen has had its chance
  assert.equal(opsReceiver.requests.length, 1, 'raised once');
});

test('an exhausted delivery raises one message.attempt.exhausted; the ops app’s own failures raise nothing', async (t) => {
  const failing = await startReceiver(() => ({ status: 503 }));
  const opsReceiver = await startReceiver(() => ({ status: 200 }));
  const brokenOps = await startReceiver(() => ({ status: 500 }));
  const server = await startTestHookd({ opsInterval: '20ms', failingWindow: 2 });
  t.after(async () => {
    await server.close();
    await Promise.all([failing.close(), opsReceiver.close(), brokenOps.close()]);
  });
  await subscribeOps(server, opsReceiver);
  await subscribeOps(server, brokenOps); // fails every ops event: must not feed ops events about itself
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = (await server.call('POST', '/v1/apps/acme/endpoints', { url: failing.url, events: ['order.*'] })).body;
  const message = (await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } })).body;

  await failing.waitFor(3); // the schedule is 0, 50 ms, 50 ms: three attempts
  const exhausted = await eventually(() => received(opsReceiver, 'message.attempt.exhausted')[0], 5000, 'the ops event');
  const [delivery] = (await server.call('GET', `/v1/apps/acme/events/${message.id}/deliveries`)).body.data;
  assert.equal(delivery.status, 'failed');
  assert.deepEqual(exhausted.data, {
    appId: ep.appId,
    endpointId: ep.id,
    url: failing.url,
    messageId: message.id,
    eventType: 'order.created',
    deliveryId: delivery.id,
    attempts: 3,
    lastResponseStatus: 503,
    lastErrorCode: 'http_status',
    lastError: 'HTTP 503',
    failedAt: exhausted.data.failedAt,
  });
  assert.ok(Date.parse(exhausted.data.failedAt) <= Date.parse(exhausted.timestamp));
  // The broken ops endpoint exhausts its three attempts at each ops event too, and fails well over the threshold.
  await brokenOps.waitFor(received(opsReceiver).length * 3);
  await server.idle(); // what must not happen has had its chance
  const types = received(opsReceiver).map((e) => e.type);
  assert.deepEqual(types.filter((type) => type === 'message.attempt.exhausted').length, 1, 'one, for the acme delivery');
  assert.ok(
    received(opsReceiver, 'endpoint.failing').every((e) => e.data.endpointId === ep.id),
    'endpoint.failing only about acme’s endpoint, never the ops app’s',
  );
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /hookd_ops_events_total\{type="message.attempt.exhausted"\} 1\n/);
  assert.match(metrics, /hookd_ops_events_total\{type="ingest.silent"\} 0\n/);
});

test('endpoint.failing fires once per episode: over the threshold, back under it, then over it again', async (t) => {
  let status = 500;
  const target = await startReceiver(() => ({ status }));
  const steady = await startReceiver(() => ({ status: 200 }));
  const opsReceiver = await startReceiver(() => ({ status: 200 }));
  // One attempt per delivery; the monitor is run by hand.
  const server = await startTestHookd({ retrySchedule: '0', failingWindow: 4, opsInterval: '1h' });
  t.after(async () => {
    await server.close();
    await Promise.all([target.close(), steady.close(), opsReceiver.close()]);
  });
  await subscribeOps(server, opsReceiver, ['endpoint.failing']);
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = (await server.call('POST', '/v1/apps/acme/endpoints', { url: target.url, events: ['target.*'] })).body;
  await server.call('POST', '/v1/apps/acme/endpoints', { url: steady.url, events: ['steady.*'] });

  let sent = 0;
  /** Sends `n` events to the target endpoint and waits until hookd has recorded each attempt. */
  const round = async (n: number) => {
    for (let i = 0; i < n; i++) await server.call('POST', '/v1/apps/acme/events', { type: 'target.sent', data: { i } });
    sent += n;
    await target.waitFor(sent);
    await eventually(async () => {
      const { body } = await server.call('GET', `/v1/apps/acme/endpoints/${ep.id}/stats`);
      return body.windows['1h'].attempts === sent ? true : undefined;
    });
  };
  await server.call('POST', '/v1/apps/acme/events', { type: 'steady.sent', data: {} });
  await steady.waitFor(1);

  await round(3);
  assert.deepEqual(await monitor(server).check(), { failing: 0, recovered: 0, silent: 0 }, 'three attempts: less than a window');
  await round(1);
  assert.deepEqual(await monitor(server).check(), { failing: 1, recovered: 0, silent: 0 });
  const [first] = (await opsReceiver.waitFor(1)).map((r) => JSON.parse(r.body) as OpsEvent);
  assert.equal(first?.type, 'endpoint.failing');
  assert.deepEqual(first?.data, {
    appId: ep.appId,
    endpointId: ep.id,
    url: target.url,
    failureRate: 1,
    failures: 4,
    attempts: 4,
    threshold: 0.1,
    since: first?.data.since,
  });
  assert.ok(Date.parse(first?.data.since) <= Date.parse(first?.timestamp ?? ''), 'the episode opened as the check ran');

  await round(4);
  assert.deepEqual(await monitor(server).check(), { failing: 0, recovered: 0, silent: 0 }, 'still failing: same episode');
  status = 200;
  await round(3);
  assert.deepEqual(await monitor(server).check(), { failing: 0, recovered: 0, silent: 0 }, '1 failure in 4 is above 10%');
  await round(1);
  assert.deepEqual(await monitor(server).check(), { failing: 0, recovered: 1, silent: 0 }, 'four successes end the episode');
  status = 500;
  await round(1);
  assert.deepEqual(await monitor(server).check(), { failing: 1, recovered: 0, silent: 0 }, 'a new episode fires again');
  await round(1);
  assert.deepEqual(await monitor(server).check(), { failing: 0, recovered: 0, silent: 0 });

  await opsReceiver.waitFor(2);
  await server.idle(); // what must not happen has had its chance
  const events = received(opsReceiver);
  assert.equal(events.length, 2, 'two episodes, two events');
  assert.deepEqual([events[1]?.data.failures, events[1]?.data.attempts, events[1]?.data.failureRate], [1, 4, 0.25]);
});

test('ingest.silent fires once per silence, for apps that ask, never for the ops app', async (t) => {
  let now = T;
  const opsReceiver = await startReceiver(() => ({ status: 200 }));
  const server = await startTestHookd({ silentAfter: '1h', opsInterval: '1h' }, { clock: () => now });
  t.after(async () => {
    await server.close();
    await opsReceiver.close();
  });
  await subscribeOps(server, opsReceiver, ['ingest.silent']);
  const quiet = await server.call('POST', '/v1/apps', { uid: 'quiet', name: 'Quiet', alertWhenSilent: true });
  assert.equal(quiet.status, 201, JSON.stringify(quiet.body));
  assert.equal(quiet.body.alertWhenSilent, true);
  const other = await server.call('POST', '/v1/apps', { uid: 'other', name: 'Other' });
  assert.equal(other.body.alertWhenSilent, false);
  const patched = await server.call('PATCH', OPS, { alertWhenSilent: true });
  assert.equal(patched.body.alertWhenSilent, true);
  assert.equal((await server.call('GET', '/v1/apps/quiet')).body.alertWhenSilent, true);
  const check = () => monitor(server).check();

  now = T + 59 * MINUTE;
  assert.equal((await check()).silent, 0, 'not quiet for an hour yet');
  now = T + 61 * MINUTE;
  assert.equal((await check()).silent, 1);
  const [request] = await opsReceiver.waitFor(1);
  // Recorded before the clock jumps hours ahead: a lease that ran out under it would send the alert again.
  await eventually(async () => {
    const pending = await server.call('GET', `${OPS}/deliveries?status=pending`);
    return pending.body.data.length === 0 ? true : undefined;
  });
  assert.deepEqual(JSON.parse(request?.body ?? ''), {
    type: 'ingest.silent',
    timestamp: iso(T + 61 * MINUTE),
    data: {
      appId: quiet.body.id,
      uid: 'quiet',
      name: 'Quiet',
      lastEventAt: null,
      quietSince: iso(T),
      silentAfterSeconds: 3600,
    },
  });
  assert.equal((await check()).silent, 0, 'once per silence');
  now = T + 5 * 60 * MINUTE;
  assert.equal((await check()).silent, 0, 'however long it lasts');

  assert.equal((await server.call('POST', '/v1/apps/quiet/events', { type: 'ping', data: {} })).status, 202);
  now = T + 5 * 60 * MINUTE + 59 * MINUTE;
  assert.equal((await check()).silent, 0, 'the new event ended the silence');
  now = T + 6 * 60 * MINUTE + 1;
  assert.equal((await check()).silent, 1, 'a new silence alerts again');
  await opsReceiver.waitFor(2);
  await server.idle(); // what must not happen has had its chance
  const events = received(opsReceiver);
  assert.deepEqual(
    events.map((e) => [e.data.uid, e.data.lastEventAt]),
    [
      ['quiet', null],
      ['quiet', iso(T + 5 * 60 * MINUTE)],
    ],
    'only the app that asked; not "other", not hookd-ops',
  );
});

test('/readyz answers 503 when the database schema is not the version this hookd expects', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  const ready = await server.call('GET', '/readyz');
  assert.deepEqual(ready.body, { status: 'ready', checks: { store: 'ok', schema: 'ok', worker: 'ok' } });

  const db = new Database(join(server.dataDir, 'hookd.db'));
  t.after(() => db.close());
  const version = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${version - 1}`);
  const behind = await server.call('GET', '/readyz');
  assert.equal(behind.status, 503);
  assert.equal(behind.body.status, 'not_ready');
  assert.equal(
    behind.body.checks.schema,
    `the database is at schema version ${version - 1}, this hookd needs ${version}: run hookd migrate`,
  );
  db.pragma(`user_version = ${version + 1}`);
  const ahead = await server.call('GET', '/readyz');
  assert.equal(ahead.status, 503);
  assert.match(ahead.body.checks.schema, /newer than this hookd/);
  db.pragma(`user_version = ${version}`);
  assert.equal((await server.call('GET', '/readyz')).status, 200);
});

/** Several processes starting at once each find or create the ops app: one app, the same for all. */
async function racingOpsApps(stores: Store[]): Promise<void> {
  const publishers = stores.flatMap((store) =>
    [1, 2].map(() => new OpsEvents({ store, clock: Date.now, logger: pino({ level: 'silent' }), idempotencyWindowMs: 1000 })),
  );
  const apps = await Promise.all(publishers.map((p) => p.opsApp()));
  assert.equal(new Set(apps.map((app) => app.id)).size, 1);
  assert.deepEqual([apps[0]?.uid, apps[0]?.name], ['hookd-ops', 'hookd operations']);
  assert.equal((await stores[0]?.listApps({ limit: 10 }))?.data.length, 1);
}

test('an API-only process creates the ops app too, so operators can subscribe before any worker runs', async (t) => {
  const server = await startTestHookd({ role: 'api' });
  t.after(() => server.close());
  assert.equal((await server.call('GET', OPS)).status, 200);
  const endpoint = await server.call('POST', `${OPS}/endpoints`, { url: 'http://127.0.0.1:9/ops' });
  assert.equal(endpoint.status, 201);
});

test('processes racing to create the ops app end up with one (SQLite)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-ops-'));
  const store = await openStore(`sqlite:${join(dir, 'hookd.db')}`);
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await racingOpsApps([store]);
});

test('processes racing to create the ops app end up with one (PostgreSQL)', async (t) => {
  const database = await testDatabase(t);
  if (!database) return;
  t.after(() => database.drop());
  const url = await database.freshSchema();
  const stores = await Promise.all([1, 2, 3].map(() => openStore(url, { poolSize: 2 })));
  try {
    await racingOpsApps(stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('the ops app is found by the id hookd keeps, not by its uid: an app holding hookd-ops after a restart gets no ops events', async (t) => {
  const dataDir = sharedDataDir();
  const first = await startTestHookd({ dataDir });
  const opsId = (await first.call('GET', OPS)).body.id;
  const tenant = (await first.call('POST', '/v1/apps', { uid: 'tenant', name: 'Tenant' })).body;
  assert.equal((await first.call('DELETE', `/v1/apps/${opsId}`)).status, 204);
  // The API refuses the rename now; a uid held from before the reservation is what is left to fear.
  await first.hookd.store.updateApp(tenant.id, { uid: 'hookd-ops' }, Date.now());
  await first.close();

  const second = await startTestHookd({ dataDir });
  t.after(() => second.close());
  const publisher = new OpsEvents({
    store: second.hookd.store,
    clock: Date.now,
    logger: pino({ level: 'silent' }),
    idempotencyWindowMs: 1000,
  });
  const ops = await publisher.opsApp();
  assert.equal(await publisher.isOpsApp(tenant.id), false);
  assert.notEqual(ops.id, tenant.id, 'the tenant that holds the uid is not the ops app');
  assert.notEqual(ops.id, opsId);
  assert.equal(ops.uid, null, 'the uid is held, so the new ops app has none');
  assert.equal(await second.hookd.store.readSetting('ops_app_id'), ops.id);
});
