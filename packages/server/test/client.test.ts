/**
 * The SDK's typed client against a real hookd and real receivers on loopback: the whole walk, cursor pages,
 * idempotent publishing, every error path with the server's code, failures on the client's side of the wire,
 * and drift checks of the client's route table and error codes against the server.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import {
  API_ERROR_CODES,
  ATTEMPT_ERROR_CODES,
  type CreateAppInput,
  createHookdClient,
  type DeliveryWithAttempts,
  HookdApiError,
  type HookdClient,
  type HookdErrorCode,
  paginate,
  ROUTES,
} from '../../sdk/src/client/index.js';
import { ATTEMPT_ERRORS, ERRORS } from '../src/index.js';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { type Receiver, type Responder, startReceiver } from './helpers/receiver.js';

/** A hookd and a client for it, closed after the test together with the receivers it is given. */
async function setup(t: TestContext) {
  const server = await startTestHookd();
  const receivers: Receiver[] = [];
  // Receivers first: a hung request then ends at once instead of holding the worker's shutdown.
  t.after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server.close();
  });
  const token = server.hookd.adminToken ?? assert.fail('the test server has no admin token');
  const client = createHookdClient({ baseUrl: server.url, token, timeoutMs: 5000 });
  return {
    server,
    token,
    client,
    async receiver(respond?: Responder): Promise<Receiver> {
      const receiver = await startReceiver(respond);
      receivers.push(receiver);
      return receiver;
    },
  };
}

/** Asserts the call fails with a HookdApiError of this code and status, carrying a message. */
async function rejectsWith(call: Promise<unknown>, code: HookdErrorCode, status: number | null): Promise<HookdApiError> {
  let caught: unknown;
  await assert.rejects(call, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof HookdApiError, `expected a HookdApiError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.status, status, caught.message);
  assert.ok(caught.message.length > 0);
  return caught;
}

/** The delivery with its attempts once it is `succeeded` after `attempts` attempts. */
function succeededAfter(client: HookdClient, app: string, deliveryId: string, attempts: number): Promise<DeliveryWithAttempts> {
  return eventually(
    async () => {
      const delivery = await client.deliveries.get(app, deliveryId);
      return delivery.status === 'succeeded' && delivery.attemptCount === attempts ? delivery : undefined;
    },
    5000,
    `delivery ${deliveryId} to succeed after ${attempts} attempts`,
  );
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('walks the API: app, endpoint, publish, delivery with attempts, retry, replay, stats, enable, delete', async (t) => {
  const { client, receiver } = await setup(t);
  const before = new Date(Date.now() - 60_000).toISOString();
  assert.deepEqual(await client.health(), { status: 'ok' });
  const readiness = await client.ready();
  assert.equal(readiness.status, 'ready');
  assert.equal(readiness.checks.store, 'ok');

  const app = await client.apps.create({ uid: 'acme', name: 'Acme' });
  assert.match(app.id, /^app_/);
  assert.equal(app.uid, 'acme');
  assert.deepEqual(await client.apps.get('acme'), app);
  assert.deepEqual(await client.apps.get(app.id), app);
  const renamed = await client.apps.update('acme', { name: 'Acme Inc' });
  assert.equal(renamed.name, 'Acme Inc');
  assert.equal(renamed.id, app.id);

  const orders = await receiver();
  const ep = await client.endpoints.create('acme', { url: orders.url, events: ['order.*'], description: 'orders' });
  assert.match(ep.secret ?? '', /^whsec_/);
  assert.deepEqual(ep.events, ['order.*']);
  assert.equal(ep.disabled, false);
  assert.equal(ep.appId, app.id);
  const described = await client.endpoints.update('acme', ep.id, { description: 'every order' });
  assert.equal(described.description, 'every order');
  assert.deepEqual(await client.endpoints.get('acme', ep.id), described);

  const published = await client.events.publish('acme', { type: 'order.created', data: { order: 1 } });
  assert.equal(published.deliveries, 1);
  assert.equal(published.duplicate, false);
  assert.equal(published.type, 'order.created');
  const messageId = published.id ?? assert.fail('publish answered without an id');
  const [first] = await orders.waitFor(1);
  assert.equal(first?.headers['webhook-id'], messageId);
  assert.deepEqual(JSON.parse(first?.body ?? '').data, { order: 1 });

  const message = await client.events.get('acme', messageId);
  assert.equal(message.type, 'order.created');
  assert.deepEqual(message.data, { order: 1 });
  const { data: deliveries, nextCursor } = await client.events.deliveries('acme', messageId);
  assert.equal(nextCursor, null);
  assert.equal(deliveries.length, 1);
  const deliveryId = deliveries[0]?.id ?? assert.fail('no delivery');
  assert.equal(deliveries[0]?.endpointId, ep.id);

  const delivered = await succeededAfter(client, 'acme', deliveryId, 1);
  assert.equal(delivered.attempts?.length, 1);
  assert.equal(delivered.attempts?.[0]?.number, 1);
  assert.equal(delivered.attempts?.[0]?.responseStatus, 200);
  assert.equal(delivered.attempts?.[0]?.error, null);

  const retried = await client.deliveries.retry('acme', deliveryId);
  assert.equal(retried.id, deliveryId);
  assert.equal(retried.status, 'pending');
  await orders.waitFor(2);
  const afterRetry = await succeededAfter(client, 'acme', deliveryId, 2);
  assert.deepEqual(
    afterRetry.attempts?.map((a) => a.number),
    [1, 2],
  );
  assert.equal(orders.requests[1]?.headers['webhook-id'], messageId, 'a retry keeps the webhook-id');

  const replay = await client.endpoints.replay('acme', ep.id, { since: before, status: 'succeeded' });
  assert.equal(replay.replayed, 1);
  await orders.waitFor(3);
  await succeededAfter(client, 'acme', deliveryId, 3);
  const stats = await client.endpoints.stats('acme', ep.id);
  assert.deepEqual(stats.deliveries, { pending: 0, succeeded: 1, failed: 0, skipped: 0 });
  assert.equal(stats.failingSince, null);
  for (const window of [stats.windows['1h'], stats.windows['24h']]) {
    assert.equal(window.attempts, 3);
    assert.equal(window.successes, 3);
    assert.equal(window.successRate, 1);
    assert.equal(typeof window.latencyMs.p95, 'number');
  }
  const enabled = await client.endpoints.enable('acme', ep.id);
  assert.equal(enabled.endpoint.id, ep.id);
  assert.equal(enabled.endpoint.disabled, false);
  assert.equal(enabled.replayed, 0);
  assert.deepEqual(
    (await client.deliveries.list('acme', { status: 'succeeded', endpoint: ep.id })).data.map((d) => d.id),
    [deliveryId],
  );
  assert.deepEqual((await client.deliveries.list('acme', { status: 'failed' })).data, []);

  assert.equal(await client.endpoints.delete('acme', ep.id), undefined);
  assert.deepEqual((await client.endpoints.list('acme')).data, []);
  await rejectsWith(client.endpoints.get('acme', ep.id), 'endpoint_not_found', 404);
  assert.equal(await client.apps.delete('acme'), undefined);
  await rejectsWith(client.apps.get('acme'), 'app_not_found', 404);
});

test('lists come in cursor pages that paginate() walks to the end, with filters sent as query', async (t) => {
  const { client } = await setup(t);
  const created = [];
  for (let i = 0; i < 5; i++) created.push(await client.apps.create({ name: `App ${i}` }));

  const all = await client.apps.list({ limit: 250 });
  assert.equal(all.nextCursor, null);
  const mine = all.data.filter((a) => a.uid !== 'hookd-ops'); // the worker's own app for ops events is listed too
  assert.deepEqual(mine.map((a) => a.id).sort(), created.map((a) => a.id).sort());

  const firstPage = await client.apps.list({ limit: 2 });
  assert.equal(firstPage.data.length, 2);
  assert.equal(typeof firstPage.nextCursor, 'string');
  const secondPage = await client.apps.list({ limit: 2, after: firstPage.nextCursor ?? '' });
  assert.deepEqual(
    [...firstPage.data, ...secondPage.data].map((a) => a.id),
    all.data.slice(0, 4).map((a) => a.id),
  );

  let pagesFetched = 0;
  const walked = [];
  for await (const app of paginate((page) => {
    pagesFetched++;
    return client.apps.list({ ...page, limit: 2 });
  })) {
    walked.push(app.id);
  }
  assert.deepEqual(
    walked,
    all.data.map((a) => a.id),
  );
  assert.equal(pagesFetched, 3);

  const app = created[0]?.id ?? assert.fail('no app');
  for (const [n, type] of ['a.x', 'b.y', 'a.x', 'b.y', 'a.x'].entries()) await client.events.publish(app, { type, data: { n } });
  const ofTypeA = [];
  for await (const message of paginate((page) => client.events.list(app, { ...page, limit: 2, type: 'a.x' }))) {
    ofTypeA.push(message.type);
  }
  assert.deepEqual(ofTypeA, ['a.x', 'a.x', 'a.x']);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  assert.deepEqual((await client.events.list(app, { since: future })).data, []);
  assert.equal((await client.events.list(app, { until: future })).data.length, 5);
  // Several content criteria go as a repeated `where`, all of which must hold.
  const found = await client.events.list(app, { where: ['data.n:2', 'data.n:2'], type: 'a.x' });
  assert.deepEqual([found.data.length, found.prevCursor, typeof found.search?.indexed], [1, null, 'boolean']);
  // Filters left undefined, as a caller forwarding its own optional options would, are not sent.
  assert.equal((await client.events.list(app, { type: undefined, since: undefined })).data.length, 5);
});

test('an idempotency key answers with the first message and publishes nothing new', async (t) => {
  const { client, receiver } = await setup(t);
  const sink = await receiver();
  await client.apps.create({ uid: 'acme', name: 'Acme' });
  await client.endpoints.create('acme', { url: sink.url });

  const first = await client.events.publish('acme', { type: 'order.paid', data: { n: 1 } }, { idempotencyKey: 'order-1-paid' });
  const again = await client.events.publish('acme', { type: 'order.paid', data: { n: 2 } }, { idempotencyKey: 'order-1-paid' });
  const other = await client.events.publish('acme', { type: 'order.paid', data: { n: 3 } }, { idempotencyKey: 'order-2-paid' });

  assert.deepEqual([first.duplicate, first.deliveries], [false, 1]);
  assert.equal(again.id, first.id);
  assert.equal(again.timestamp, first.timestamp);
  assert.deepEqual([again.duplicate, again.deliveries], [true, 0]);
  assert.notEqual(other.id, first.id);
  assert.equal(other.duplicate, false);

  const messages = (await client.events.list('acme')).data;
  assert.deepEqual(messages.map((m) => m.id).sort(), [first.id, other.id].sort());
  const kept = await client.events.get('acme', first.id ?? '');
  assert.deepEqual(kept.data, { n: 1 });
  assert.equal(kept.idempotencyKey, 'order-1-paid');
});

test('sources: create with destinations, get by name or id, rotate secrets, list, delete', async (t) => {
  const { client, receiver } = await setup(t);
  const sink = await receiver();
  const source = await client.sources.create({
    name: 'github',
    scheme: 'github',
    secrets: ['old-secret'],
    destinations: [{ url: sink.url, events: ['push'] }],
  });
  assert.match(source.id, /^src_/);
  assert.equal(source.scheme, 'github');
  assert.deepEqual(source.secrets, ['old-secret']);
  assert.ok(source.ingestUrl.endsWith('/in/github'), source.ingestUrl);
  assert.deepEqual(
    source.destinations.map((d) => [d.url, d.events]),
    [[sink.url, ['push']]],
  );
  assert.match(source.destinations[0]?.secret ?? '', /^whsec_/);
  assert.deepEqual(await client.sources.get('github'), source);
  assert.deepEqual(await client.sources.get(source.id), source);

  const rotated = await client.sources.update('github', { secrets: ['new-secret', 'old-secret'], allowIps: ['127.0.0.1'] });
  assert.deepEqual(rotated.secrets, ['new-secret', 'old-secret']);
  assert.deepEqual(rotated.allowIps, ['127.0.0.1']);
  assert.deepEqual(
    (await client.sources.list()).data.map((s) => s.name),
    ['github'],
  );
  await rejectsWith(
    client.sources.create({ name: 'github', scheme: 'none', destinations: [{ url: sink.url }] }),
    'source_name_taken',
    409,
  );

  assert.equal(await client.sources.delete('github'), undefined);
  await rejectsWith(client.sources.get('github'), 'source_not_found', 404);
  assert.deepEqual((await client.sources.list()).data, []);
});

test('every error carries the server code and status', async (t) => {
  const { server, token, client, receiver } = await setup(t);
  await client.apps.create({ uid: 'acme', name: 'Acme' });
  const hanging = await receiver((_request, n) => (n === 0 ? { hang: true } : { status: 200 }));
  const ep = await client.endpoints.create('acme', { url: hanging.url });

  const stranger = createHookdClient({ baseUrl: server.url, token: 'not-the-token' });
  await rejectsWith(stranger.apps.list(), 'unauthorized', 401);
  const unprefixed = createHookdClient({ baseUrl: `${server.url}/nowhere/`, token });
  await rejectsWith(unprefixed.apps.list(), 'route_not_found', 404);

  await rejectsWith(client.apps.get('globex'), 'app_not_found', 404);
  await rejectsWith(client.events.publish('globex', { type: 'a.b', data: {} }), 'app_not_found', 404);
  // A slash in an id is encoded, so it names no app instead of reaching another route.
  const slashed = await rejectsWith(client.apps.get('acme/endpoints'), 'app_not_found', 404);
  assert.match(slashed.message, /acme\/endpoints/);
  await rejectsWith(client.endpoints.get('acme', 'ep_missing'), 'endpoint_not_found', 404);
  await rejectsWith(client.events.get('acme', 'msg_missing'), 'message_not_found', 404);
  await rejectsWith(client.events.deliveries('acme', 'msg_missing'), 'message_not_found', 404);
  await rejectsWith(client.deliveries.get('acme', 'dlv_missing'), 'delivery_not_found', 404);
  await rejectsWith(client.deliveries.retry('acme', 'dlv_missing'), 'delivery_not_found', 404);

  await rejectsWith(client.apps.create({ name: '' }), 'validation_failed', 400);
  await rejectsWith(client.apps.create({ uid: 'app_1', name: 'Sneaky' }), 'validation_failed', 400);
  await rejectsWith(client.apps.list({ limit: 0 }), 'validation_failed', 400);
  await rejectsWith(client.endpoints.replay('acme', ep.id, { since: 'yesterday' }), 'validation_failed', 400);
  await rejectsWith(client.apps.create({ name: 'Acme', colour: 'red' } as CreateAppInput), 'unknown_field', 400);
  await rejectsWith(client.apps.create({ uid: 'acme', name: 'Acme again' }), 'uid_taken', 409);
  await rejectsWith(client.endpoints.create('acme', { url: 'ftp://example.com/hook' }), 'invalid_url', 400);
  await rejectsWith(client.endpoints.create('acme', { url: 'http://169.254.169.254/' }), 'url_not_allowed', 422);
  await rejectsWith(client.endpoints.create('acme', { url: hanging.url, events: ['a b'] }), 'invalid_event_type', 400);
  await rejectsWith(client.events.publish('acme', { type: 'not a type', data: {} }), 'invalid_event_type', 400);

  // The receiver holds the first attempt open, so the delivery is leased while we ask to retry it.
  const published = await client.events.publish('acme', { type: 'a.b', data: {} });
  await hanging.waitFor(1);
  const [delivery] = (await client.events.deliveries('acme', published.id ?? '')).data;
  await rejectsWith(client.deliveries.retry('acme', delivery?.id ?? ''), 'delivery_in_flight', 409);

  await client.endpoints.update('acme', ep.id, { disabled: true });
  await rejectsWith(client.endpoints.replay('acme', ep.id, { since: new Date(0).toISOString() }), 'endpoint_disabled', 409);
});

test('failures on the client side of the wire: network_error, timeout, invalid_response, bad ids', async (t) => {
  const { receiver } = await setup(t);

  const refused = createHookdClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, token: 't' });
  const network = await rejectsWith(refused.health(), 'network_error', null);
  assert.ok(network.cause, 'the underlying failure is kept as the cause');

  const silent = await receiver(() => ({ hang: true }));
  const slow = createHookdClient({ baseUrl: new URL(silent.url).origin, token: 't', timeoutMs: 200 });
  const started = Date.now();
  await rejectsWith(slow.apps.list(), 'timeout', null);
  const waited = Date.now() - started;
  assert.ok(waited >= 150 && waited < 2000, `gave up after ${waited} ms`);

  const notHookd = await receiver((request) =>
    request.path === '/healthz' ? { status: 200, body: 'ok' } : { status: 502, body: '<html>Bad Gateway</html>' },
  );
  const proxied = createHookdClient({ baseUrl: new URL(notHookd.url).origin, token: 't' });
  await rejectsWith(proxied.health(), 'invalid_response', 200);
  await rejectsWith(proxied.apps.list(), 'invalid_response', 502);

  const client = createHookdClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
  for (const id of ['', '.', '..']) await assert.rejects(client.apps.get(id), TypeError);
});

test('sends every call through the fetch it is given, with the bearer token', async (t) => {
  const { server, token } = await setup(t);
  const seen: { url: string; authorization: string | null }[] = [];
  const client = createHookdClient({
    baseUrl: server.url,
    token,
    fetch: (input, init) => {
      seen.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return fetch(input, init);
    },
  });
  await client.apps.create({ uid: 'acme', name: 'Acme' });
  await client.apps.list({ limit: 1 });
  assert.deepEqual(seen, [
    { url: `${server.url}/v1/apps`, authorization: `Bearer ${token}` },
    { url: `${server.url}/v1/apps?limit=1`, authorization: `Bearer ${token}` },
  ]);
});

test('every route the client calls is in the server OpenAPI document, and the client knows every error code', async (t) => {
  const { server } = await setup(t);
  const response = await fetch(`${server.url}/openapi.json`);
  assert.equal(response.status, 200);
  const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };

  const missing = Object.entries(ROUTES)
    .filter(([, route]) => doc.paths[route.path]?.[route.method.toLowerCase()] === undefined)
    .map(([name, route]) => `${name}: ${route.method} ${route.path}`);
  assert.deepEqual(missing, [], 'the client calls routes the server does not serve');
  assert.deepEqual(
    Object.keys(doc.paths).filter((path) => path.startsWith('/ui')),
    [],
    'the dashboard’s pages are not API operations',
  );

  assert.deepEqual([...API_ERROR_CODES].sort(), Object.keys(ERRORS).sort());
});

test('the client knows every attempt error code, and no other', () => {
  assert.deepEqual([...ATTEMPT_ERROR_CODES].sort(), Object.keys(ATTEMPT_ERRORS).sort());
});
