/**
 * Event types against a real hookd on loopback: the catalog (create, list, get, patch, archive), and publishing
 * checked against it — a schema's refusals with their paths and nothing stored, archived types refused, and
 * changes applied at once in this process and within the cache's lifetime from another.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { createHookdClient, HookdApiError } from '../../sdk/src/client/index.js';
import { callApi, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    order: { type: 'integer' },
    amount: { type: 'integer', minimum: 0 },
    customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] },
  },
  required: ['order', 'amount'],
};

async function setup(t: TestContext, clock?: () => number): Promise<TestHookd> {
  const server = await startTestHookd({}, clock ? { clock } : {});
  t.after(() => server.close());
  return server;
}

/** An app with one endpoint on a real receiver subscribed to every type. */
async function withReceiver(t: TestContext, server: TestHookd) {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url })).status, 201);
  return receiver;
}

const publish = (server: TestHookd, type: string, data: unknown) => server.call('POST', '/v1/apps/acme/events', { type, data });

test('event types are created, fetched, listed by name, changed, archived and restored', async (t) => {
  const server = await setup(t);
  const created = await server.call('POST', '/v1/event-types', {
    name: 'order.paid',
    description: 'An order was paid',
    schema: ORDER_SCHEMA,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(
    { ...created.body, createdAt: undefined, updatedAt: undefined },
    {
      name: 'order.paid',
      description: 'An order was paid',
      schema: ORDER_SCHEMA,
      archived: false,
      archivedAt: null,
      createdAt: undefined,
      updatedAt: undefined,
    },
  );
  assert.equal((await server.call('POST', '/v1/event-types', { name: 'invoice.sent' })).body.schema, null);
  assert.equal((await server.call('POST', '/v1/event-types', { name: 'account.closed' })).status, 201);

  const fetched = await server.call('GET', '/v1/event-types/order.paid');
  assert.equal(fetched.status, 200);
  assert.deepEqual(fetched.body, created.body);
  const missing = await server.call('GET', '/v1/event-types/order.refunded');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'event_type_not_found');

  const first = await server.call('GET', '/v1/event-types?limit=2');
  assert.deepEqual(
    first.body.data.map((e: { name: string }) => e.name),
    ['account.closed', 'invoice.sent'],
  );
  const rest = await server.call('GET', `/v1/event-types?limit=2&after=${first.body.nextCursor}`);
  assert.deepEqual(
    rest.body.data.map((e: { name: string }) => e.name),
    ['order.paid'],
  );
  assert.equal(rest.body.nextCursor, null);

  const described = await server.call('PATCH', '/v1/event-types/order.paid', { description: 'Paid in full' });
  assert.equal(described.status, 200);
  assert.equal(described.body.description, 'Paid in full');
  assert.deepEqual(described.body.schema, ORDER_SCHEMA, 'a patch leaves out what it does not name');

  const archived = await server.call('PATCH', '/v1/event-types/invoice.sent', { archived: true });
  assert.equal(archived.body.archived, true);
  assert.ok(Date.parse(archived.body.archivedAt) > 0);
  const listed = await server.call('GET', '/v1/event-types');
  assert.deepEqual(
    listed.body.data.map((e: { name: string }) => e.name),
    ['account.closed', 'order.paid'],
    'archived types are hidden by default',
  );
  const all = await server.call('GET', '/v1/event-types?includeArchived=true');
  assert.deepEqual(
    all.body.data.map((e: { name: string; archived: boolean }) => [e.name, e.archived]),
    [
      ['account.closed', false],
      ['invoice.sent', true],
      ['order.paid', false],
    ],
  );
  const restored = await server.call('PATCH', '/v1/event-types/invoice.sent', { archived: false });
  assert.deepEqual([restored.body.archived, restored.body.archivedAt], [false, null]);

  const patchMissing = await server.call('PATCH', '/v1/event-types/order.refunded', { description: 'x' });
  assert.equal(patchMissing.status, 404);
  assert.equal(patchMissing.body.error.code, 'event_type_not_found');
});

test('event types need the admin token', async (t) => {
  const server = await setup(t);
  for (const [method, path, body] of [
    ['GET', '/v1/event-types'],
    ['POST', '/v1/event-types', { name: 'a.b' }],
    ['GET', '/v1/event-types/a.b'],
    ['PATCH', '/v1/event-types/a.b', { archived: true }],
  ] as const) {
    const answer = await callApi(server.url, 'wrong-token', method, path, body);
    assert.equal(answer.status, 401, `${method} ${path}`);
    assert.equal(answer.body.error.code, 'unauthorized');
  }
  assert.equal((await server.call('GET', '/v1/event-types/a.b')).status, 404, 'nothing was created');
});

test('a name is taken once, archived types included, and may not be a wildcard', async (t) => {
  const server = await setup(t);
  assert.equal((await server.call('POST', '/v1/event-types', { name: 'user.created' })).status, 201);
  const duplicate = await server.call('POST', '/v1/event-types', { name: 'user.created', description: 'again' });
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.body.error.code, 'event_type_exists');
  await server.call('PATCH', '/v1/event-types/user.created', { archived: true });
  assert.equal((await server.call('POST', '/v1/event-types', { name: 'user.created' })).status, 409);
  assert.equal((await server.call('GET', '/v1/event-types/user.created')).body.description, '', 'the first one is kept');

  for (const name of ['user.*', '*', 'user..created', 'bad name']) {
    const refused = await server.call('POST', '/v1/event-types', { name });
    assert.equal(refused.status, 400, name);
    assert.equal(refused.body.error.code, 'invalid_event_type', name);
  }
  const unknown = await server.call('POST', '/v1/event-types', { name: 'a.b', schma: {} });
  assert.equal(unknown.body.error.code, 'unknown_field');
});

test('an invalid schema is refused with ajv’s message, at creation and in a patch', async (t) => {
  const server = await setup(t);
  const invalid = await server.call('POST', '/v1/event-types', { name: 'order.paid', schema: { type: 'nope' } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'validation_failed');
  assert.match(invalid.body.error.message, /schema/);
  assert.match(invalid.body.error.message, /must be equal to one of the allowed values/, 'ajv’s own words');
  assert.equal((await server.call('GET', '/v1/event-types/order.paid')).status, 404, 'nothing was created');

  const danglingRef = await server.call('POST', '/v1/event-types', {
    name: 'order.paid',
    schema: { $ref: '#/definitions/none' },
  });
  assert.equal(danglingRef.status, 400);
  assert.match(danglingRef.body.error.message, /can't resolve reference/);
  const notObject = await server.call('POST', '/v1/event-types', { name: 'order.paid', schema: 'string' });
  assert.equal(notObject.body.error.code, 'validation_failed');

  assert.equal((await server.call('POST', '/v1/event-types', { name: 'order.paid', schema: ORDER_SCHEMA })).status, 201);
  const badPatch = await server.call('PATCH', '/v1/event-types/order.paid', { schema: { minimum: 'zero' } });
  assert.equal(badPatch.status, 400);
  assert.equal(badPatch.body.error.code, 'validation_failed');
  assert.deepEqual((await server.call('GET', '/v1/event-types/order.paid')).body.schema, ORDER_SCHEMA, 'the schema is unchanged');
});

test('a publish that matches its type’s schema is accepted and delivered; types nobody registered publish as before', async (t) => {
  const server = await setup(t);
  const receiver = await withReceiver(t, server);
  await server.call('POST', '/v1/event-types', { name: 'order.paid', schema: ORDER_SCHEMA });

  const data = { order: 1234, amount: 4200, customer: { email: 'a@example.com' }, extra: true };
  const accepted = await publish(server, 'order.paid', data);
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const unregistered = await publish(server, 'order.shipped', 'anything at all');
  assert.equal(unregistered.status, 202);

  const received = await receiver.waitFor(2);
  const bodies = received.map((r) => JSON.parse(r.body)).sort((a, b) => a.type.localeCompare(b.type));
  assert.deepEqual(
    bodies.map((b) => [b.type, b.data]),
    [
      ['order.paid', data],
      ['order.shipped', 'anything at all'],
    ],
  );
});

test('a publish its type’s schema refuses is 422 schema_mismatch with each failing path, and nothing is stored', async (t) => {
  const server = await setup(t);
  const receiver = await withReceiver(t, server);
  await server.call('POST', '/v1/event-types', { name: 'order.paid', schema: ORDER_SCHEMA });

  const refused = await publish(server, 'order.paid', { amount: -5, customer: { email: 'not an email' } });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'schema_mismatch');
  assert.match(refused.body.error.message, /order\.paid/);
  const details = refused.body.error.details as { path: string; message: string }[];
  assert.deepEqual(details.map((d) => d.path).sort(), ['/data/amount', '/data/customer/email', '/data/order']);
  for (const detail of details) assert.ok(detail.message.length > 0);
  assert.match(details.find((d) => d.path === '/data/order')?.message ?? '', /required/);

  const notAnObject = await publish(server, 'order.paid', [1, 2]);
  assert.equal(notAnObject.status, 422);
  assert.deepEqual(notAnObject.body.error.details, [{ path: '/data', message: 'must be object' }]);

  const messages = await server.call('GET', '/v1/apps/acme/events');
  assert.deepEqual(messages.body.data, [], 'no message was stored');
  const deliveries = await server.call('GET', '/v1/apps/acme/deliveries');
  assert.deepEqual(deliveries.body.data, [], 'no delivery was stored');

  // A valid publish after them is the only thing the receiver ever gets.
  assert.equal((await publish(server, 'order.paid', { order: 1, amount: 0 })).status, 202);
  await receiver.waitFor(1);
  await server.idle();
  assert.equal(receiver.requests.length, 1);
  assert.equal(JSON.parse(receiver.requests[0]?.body ?? '{}').data.order, 1);

  const other = await server.call('GET', '/v1/apps/acme/events/msg_none');
  assert.deepEqual(Object.keys(other.body.error), ['code', 'message'], 'other errors keep their two-field shape');
});

test('an archived type is refused with event_type_archived, and publishes again once restored', async (t) => {
  const server = await setup(t);
  await withReceiver(t, server);
  await server.call('POST', '/v1/event-types', { name: 'legacy.ping' });
  assert.equal((await publish(server, 'legacy.ping', {})).status, 202);

  await server.call('PATCH', '/v1/event-types/legacy.ping', { archived: true });
  const refused = await publish(server, 'legacy.ping', {});
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'event_type_archived');
  assert.equal((await server.call('GET', '/v1/apps/acme/events')).body.data.length, 1, 'only the first was stored');

  await server.call('PATCH', '/v1/event-types/legacy.ping', { archived: false });
  assert.equal((await publish(server, 'legacy.ping', {})).status, 202);
});

test('this process applies a new or changed type at once; a change from another process within the cache lifetime', async (t) => {
  let offset = 0;
  const server = await setup(t, () => Date.now() + offset);
  await withReceiver(t, server);

  // Looked up and found unregistered (and cached so), then registered: the next publish is checked.
  assert.equal((await publish(server, 'user.created', { id: 'x' })).status, 202);
  await server.call('POST', '/v1/event-types', { name: 'user.created', schema: { type: 'object', required: ['email'] } });
  assert.equal((await publish(server, 'user.created', { id: 'x' })).status, 422);

  await server.call('PATCH', '/v1/event-types/user.created', { schema: { type: 'object', required: ['id'] } });
  assert.equal((await publish(server, 'user.created', { id: 'x' })).status, 202);
  await server.call('PATCH', '/v1/event-types/user.created', { schema: null });
  assert.equal((await publish(server, 'user.created', 42)).status, 202, 'no schema: any data');

  // What another process sharing the database would do: change the row behind this one's cache.
  await server.hookd.store.updateEventType('user.created', { archived: true }, Date.now());
  assert.equal((await publish(server, 'user.created', 42)).status, 202, 'still cached');
  offset = 5_000;
  const refused = await publish(server, 'user.created', 42);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'event_type_archived');
});

test('the OpenAPI document shows the event-type routes and the error details', async (t) => {
  const server = await setup(t);
  const spec = (await server.call('GET', '/openapi.json')).body;
  assert.ok(spec.paths['/v1/event-types']?.post && spec.paths['/v1/event-types']?.get);
  assert.ok(spec.paths['/v1/event-types/{name}']?.get && spec.paths['/v1/event-types/{name}']?.patch);
  assert.ok(spec.paths['/v1/apps/{app}/events']?.post?.responses?.['422']);
  assert.ok(spec.components.schemas.Error.properties.error.properties.details);
});

test('the SDK client manages event types and hands over a schema_mismatch with its details', async (t) => {
  const server = await setup(t);
  await withReceiver(t, server);
  const client = createHookdClient({ baseUrl: server.url, token: server.hookd.adminToken ?? '', timeoutMs: 5000 });

  const created = await client.eventTypes.create({ name: 'order.paid', schema: ORDER_SCHEMA });
  assert.deepEqual(created.schema, ORDER_SCHEMA);
  await client.eventTypes.create({ name: 'order.old' });
  assert.equal((await client.eventTypes.update('order.old', { archived: true })).archived, true);
  assert.deepEqual(
    (await client.eventTypes.list()).data.map((e) => e.name),
    ['order.paid'],
  );
  assert.deepEqual(
    (await client.eventTypes.list({ includeArchived: true, limit: 1 })).data.map((e) => e.name),
    ['order.old'],
  );
  assert.equal((await client.eventTypes.get('order.paid')).name, 'order.paid');

  const error = await client.events.publish('acme', { type: 'order.paid', data: { order: 'x', amount: 1 } }).then(
    () => assert.fail('a publish the schema refuses went through'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HookdApiError);
  assert.equal(error.code, 'schema_mismatch');
  assert.equal(error.status, 422);
  assert.deepEqual(error.details, [{ path: '/data/order', message: 'must be integer' }]);

  const missing = await client.eventTypes.get('order.none').catch((e: unknown) => e);
  assert.ok(missing instanceof HookdApiError);
  assert.equal(missing.code, 'event_type_not_found');
  assert.deepEqual(missing.details, []);
});
