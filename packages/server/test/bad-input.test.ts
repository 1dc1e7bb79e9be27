/**
 * Every error path answers its documented status and `{"error": {"code", "message"}}`, and the
 * README's error table lists exactly the codes of src/api/errors.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS, type ErrorCode } from '../src/api/errors.js';
import { type ApiAnswer, callApi, startTestHookd } from './helpers/hookd.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** Asserts the answer is the error `code` with its documented status and a message. */
function assertError(answer: ApiAnswer, code: ErrorCode): void {
  const context = `${answer.status} ${JSON.stringify(answer.body)}`;
  assert.equal(answer.status, ERRORS[code][0], context);
  assert.deepEqual(Object.keys(answer.body ?? {}), ['error'], context);
  assert.deepEqual(Object.keys(answer.body.error).sort(), ['code', 'message'], context);
  assert.equal(answer.body.error.code, code, context);
  assert.equal(typeof answer.body.error.message, 'string', context);
  assert.ok(answer.body.error.message.length > 0, context);
}

/** Writes raw bytes to the server's socket and parses the error it answers with. */
async function sendRaw(baseUrl: string, raw: string): Promise<{ status: number; body: { error: { code: string } } }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  socket.end(raw);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

/** Sends a raw body with the given content type and the admin token. */
async function send(baseUrl: string, path: string, body: string, contentType: string): Promise<ApiAnswer> {
  return callApi(baseUrl, 'test-admin-token-0123456789abcdefghij', 'POST', path, body, { 'content-type': contentType });
}

test('bad input answers documented errors and leaves the server running', async (t) => {
  // A search field declared as an operator would: the search below on data.order_id is indexed.
  const server = await startTestHookd({ bodyLimit: 1024, searchFields: 'data.order_id' });
  t.after(() => server.close());
  const base = server.url;
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/webhook' });
  assert.equal(ep.status, 201);

  await t.test('malformed JSON is 400 invalid_json', async () => {
    assertError(await send(base, '/v1/apps', '{"name": "Acme"', 'application/json'), 'invalid_json');
    assertError(await send(base, '/v1/apps', '{name: 1}', 'application/json'), 'invalid_json');
  });

  await t.test('an empty body sent as JSON is 400 invalid_json', async () => {
    assertError(await send(base, '/v1/apps', '', 'application/json'), 'invalid_json');
  });

  await t.test('an unknown field is 400 unknown_field naming the field', async () => {
    const answer = await server.call('POST', '/v1/apps', { name: 'Acme', nmae: 'typo' });
    assertError(answer, 'unknown_field');
    assert.match(answer.body.error.message, /nmae/);
    assertError(
      await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/', secrets: 'x' }),
      'unknown_field',
    );
  });

  await t.test('a missing required field is 400 validation_failed', async () => {
    const answer = await server.call('POST', '/v1/apps', { uid: 'no-name' });
    assertError(answer, 'validation_failed');
    assert.match(answer.body.error.message, /name/);
    assertError(await server.call('POST', '/v1/apps/acme/events', { type: 'order.created' }), 'validation_failed');
    assertError(await server.call('POST', '/v1/apps/acme/endpoints', {}), 'validation_failed');
  });

  await t.test('a field of the wrong type is 400 validation_failed', async () => {
    assertError(await server.call('POST', '/v1/apps', { name: { first: 'Acme' } }), 'validation_failed');
    assertError(
      await server.call('POST', '/v1/apps/acme/endpoints', { url: { href: 'http://127.0.0.1/' } }),
      'validation_failed',
    );
    assertError(await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { disabled: 'maybe' }), 'validation_failed');
    assertError(
      await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/', events: [{}] }),
      'validation_failed',
    );
    assertError(await server.call('POST', '/v1/apps', [{ name: 'Acme' }]), 'validation_failed');
    assertError(await server.call('GET', '/v1/apps?limit=many'), 'validation_failed');
  });

  await t.test('body values are taken as sent, never coerced to the expected type', async () => {
    assertError(await server.call('POST', '/v1/apps', { name: 42 }), 'validation_failed');
    assertError(await server.call('POST', '/v1/apps', { name: ['Acme'] }), 'validation_failed');
    assertError(await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { disabled: 'false' }), 'validation_failed');
    assertError(await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { disabled: 0 }), 'validation_failed');
  });

  await t.test('a value out of range is 400 validation_failed', async () => {
    assertError(await server.call('POST', '/v1/apps', { uid: 'has space', name: 'Acme' }), 'validation_failed');
    assertError(await server.call('POST', '/v1/apps', { uid: 'app_lookalike', name: 'Acme' }), 'validation_failed');
    assertError(await server.call('GET', '/v1/apps?limit=0'), 'validation_failed');
    assertError(
      await server.call('POST', `/v1/apps/acme/endpoints/${ep.body.id}/replay`, { since: 'yesterday' }),
      'validation_failed',
    );
  });

  await t.test('a NUL character in a text field is 400 validation_failed (PostgreSQL text cannot hold it)', async () => {
    assertError(await server.call('POST', '/v1/apps', { name: 'Ac\u0000me' }), 'validation_failed');
    assertError(
      await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { description: 'a\u0000b' }),
      'validation_failed',
    );
  });

  await t.test('a non-http endpoint URL is 400 invalid_url', async () => {
    assertError(await server.call('POST', '/v1/apps/acme/endpoints', { url: 'ftp://example.com/hook' }), 'invalid_url');
    assertError(await server.call('POST', '/v1/apps/acme/endpoints', { url: 'not a url' }), 'invalid_url');
    assertError(await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { url: 'gopher://x/' }), 'invalid_url');
  });

  await t.test('a change refused for one field writes none of the others', async () => {
    const path = `/v1/apps/acme/endpoints/${ep.body.id}`;
    const before = (await server.call('GET', path)).body;
    const audited = (await server.call('GET', '/v1/audit-log?limit=100')).body.data.length;
    // Credentials, a scheme needing a new secret, the state and a plain field, beside a URL that is refused.
    const change = { secretHeaders: { 'x-api-key': 'k' }, signatureScheme: 'ed25519', disabled: true, description: 'new' };
    assertError(await server.call('PATCH', path, { ...change, url: 'gopher://x/' }), 'invalid_url');
    assertError(await server.call('PATCH', path, { ...change, events: ['bad type!'] }), 'invalid_event_type');
    assert.deepEqual((await server.call('GET', path)).body, before);
    assert.equal((await server.call('GET', '/v1/audit-log?limit=100')).body.data.length, audited, 'no audit entry');
  });

  await t.test('a body over the limit is 413 body_too_large', async () => {
    assertError(await server.call('POST', '/v1/apps', { name: 'x'.repeat(2048) }), 'body_too_large');
  });

  await t.test('a body not sent as application/json is 415 unsupported_media_type', async () => {
    assertError(await send(base, '/v1/apps', '{"name": "Acme"}', 'text/plain'), 'unsupported_media_type');
    assertError(await send(base, '/v1/apps', 'name=Acme', 'application/x-www-form-urlencoded'), 'unsupported_media_type');
  });

  await t.test('an unknown app is 404 app_not_found', async () => {
    assertError(await server.call('GET', '/v1/apps/nope'), 'app_not_found');
    assertError(await server.call('PATCH', '/v1/apps/nope', { name: 'x' }), 'app_not_found');
    assertError(await server.call('DELETE', '/v1/apps/nope'), 'app_not_found');
    assertError(await server.call('POST', '/v1/apps/nope/events', { type: 'order.created', data: {} }), 'app_not_found');
    assertError(await server.call('GET', '/v1/apps/nope/endpoints'), 'app_not_found');
  });

  await t.test('an unknown endpoint is 404 endpoint_not_found', async () => {
    assertError(await server.call('GET', '/v1/apps/acme/endpoints/ep_nope'), 'endpoint_not_found');
    assertError(await server.call('PATCH', '/v1/apps/acme/endpoints/ep_nope', { description: 'x' }), 'endpoint_not_found');
    assertError(await server.call('DELETE', '/v1/apps/acme/endpoints/ep_nope'), 'endpoint_not_found');
  });

  await t.test('an unknown message is 404 message_not_found', async () => {
    assertError(await server.call('GET', '/v1/apps/acme/events/msg_nope'), 'message_not_found');
    assertError(await server.call('GET', '/v1/apps/acme/events/msg_nope/deliveries'), 'message_not_found');
  });

  await t.test('an unknown delivery is 404 delivery_not_found', async () => {
    assertError(await server.call('GET', '/v1/apps/acme/deliveries/dlv_nope'), 'delivery_not_found');
    assertError(await server.call('POST', '/v1/apps/acme/deliveries/dlv_nope/retry'), 'delivery_not_found');
  });

  await t.test('an unknown route or method is 404 route_not_found', async () => {
    assertError(await server.call('GET', '/v1/nope'), 'route_not_found');
    assertError(await server.call('PUT', '/v1/apps'), 'route_not_found');
    assertError(await callApi(base, null, 'GET', '/nope'), 'route_not_found');
  });

  await t.test('a URL the router cannot decode, or an over-long id, is 400 bad_request', async () => {
    assertError(await server.call('GET', '/v1/apps/%E0%A4%A'), 'bad_request');
    assertError(await server.call('GET', `/v1/apps/${'a'.repeat(300)}`), 'bad_request');
  });

  await t.test('a missing or wrong token is 401 unauthorized', async () => {
    assertError(await callApi(base, null, 'GET', '/v1/apps'), 'unauthorized');
    assertError(await callApi(base, 'wrong-token', 'GET', '/v1/apps'), 'unauthorized');
    assertError(await callApi(base, 'test-admin-token-0123456789abcdefghij-but-longer', 'GET', '/v1/apps'), 'unauthorized');
    assertError(await callApi(base, null, 'POST', '/v1/apps', { name: 'x' }), 'unauthorized');
    assertError(await callApi(base, null, 'GET', '/v1/nope'), 'unauthorized');
    const basic = await callApi(base, null, 'GET', '/v1/apps', undefined, { authorization: 'Basic dGVzdC1hZG1pbi10b2tlbg==' });
    assertError(basic, 'unauthorized');
  });

  await t.test('a percent-encoded /v1 path still needs the token', async () => {
    // The router decodes `%76` to `v`, so this path reaches GET /v1/apps.
    assertError(await callApi(base, null, 'GET', '/%761/apps'), 'unauthorized');
    assertError(await callApi(base, null, 'GET', '/%76%31/apps/acme'), 'unauthorized');
  });

  await t.test('/healthz answers without a token', async () => {
    const answer = await callApi(base, null, 'GET', '/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'ok' });
  });

  await t.test('a duplicate app uid is 409 uid_taken', async () => {
    assertError(await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme again' }), 'uid_taken');
    assert.equal((await server.call('POST', '/v1/apps', { uid: 'other', name: 'Other' })).status, 201);
    assertError(await server.call('PATCH', '/v1/apps/other', { uid: 'acme' }), 'uid_taken');
  });

  await t.test('requests the HTTP parser refuses get documented codes too', async () => {
    const garbage = await sendRaw(base, 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.error.code, 'bad_request');
    const huge = await sendRaw(base, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(huge.status, 431);
    assert.equal(huge.body.error.code, 'headers_too_large');
  });

  await t.test('a malformed event type name is 400 invalid_event_type', async () => {
    assertError(await server.call('POST', '/v1/apps/acme/events', { type: 'bad type!', data: {} }), 'invalid_event_type');
    assertError(await server.call('POST', '/v1/apps/acme/events', { type: 'order.*', data: {} }), 'invalid_event_type');
  });

  await t.test('a malformed filter in endpoint events is 400 invalid_event_type', async () => {
    const url = 'http://127.0.0.1:9/webhook';
    assertError(await server.call('POST', '/v1/apps/acme/endpoints', { url, events: ['bad type!'] }), 'invalid_event_type');
    assertError(
      await server.call('POST', '/v1/apps/acme/endpoints', { url, events: ['order.created', 'a..b'] }),
      'invalid_event_type',
    );
    assertError(
      await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { events: ['bad type!'] }),
      'invalid_event_type',
    );
  });

  await t.test('replaying to a disabled endpoint is 409 endpoint_disabled', async () => {
    const disabled = await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { disabled: true });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.disabled, true);
    const replay = await server.call('POST', `/v1/apps/acme/endpoints/${ep.body.id}/replay`, { since: '2020-01-01T00:00:00Z' });
    assertError(replay, 'endpoint_disabled');
  });

  await t.test('a malformed Content-Length header is 400 and harms nothing', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/apps`, {
        method: 'GET',
        headers: { authorization: 'Bearer test-admin-token-0123456789abcdefghij' },
      });
      // Node's HTTP parser refuses this before fastify routes it.
      req.setHeader('content-length', 'nan');
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 400);
  });

  await t.test('a malformed message search is 400 invalid_search saying what is wrong; a good one finds and pages', async () => {
    const search = (query: string) => server.call('GET', `/v1/apps/acme/events?${query}`);
    const noColon = await search('where=data.order_id');
    assertError(noColon, 'invalid_search');
    assert.match(noColon.body.error.message, /path:value/);
    assertError(await search('where=data..id:1'), 'invalid_search');
    assertError(await search('where=data.id:%221'), 'invalid_search');
    assertError(await search('after=msg_a&before=msg_b'), 'invalid_search');
    assertError(await search('where=a:1&where=b:1&where=c:1&where=d:1&where=e:1'), 'validation_failed');
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const headers = { 'idempotency-key': `search-${n}` };
      ids.push(
        (await server.call('POST', '/v1/apps/acme/events', { type: 'order.paid', data: { order_id: n } }, headers)).body.id,
      );
    }
    const found = (await search('where=data.order_id:2&type=order.paid')).body;
    assert.deepEqual(
      found.data.map((m: { id: string }) => m.id),
      [ids[1]],
    );
    assert.deepEqual(found.search, { indexed: true, scanLimit: null });
    const unindexed = (await search('where=data.other:2')).body;
    assert.deepEqual([unindexed.data, unindexed.search], [[], { indexed: false, scanLimit: 50_000 }]);
    assert.deepEqual((await search('idempotencyKey=search-3')).body.data[0].id, ids[2]);
    assert.deepEqual((await search(`id=${ids[0]}`)).body.data[0].id, ids[0]);
    // The endpoint was disabled above, before these were published: none has a delivery to it.
    assert.deepEqual((await search(`id=${ids[0]}&endpoint=${ep.body.id}`)).body.data, []);
    const second = (await search(`type=order.paid&limit=1&after=${ids[2]}`)).body;
    assert.deepEqual([second.data[0].id, second.nextCursor, second.prevCursor], [ids[1], ids[1], ids[1]]);
    const back = (await search(`type=order.paid&limit=1&before=${second.prevCursor}`)).body;
    assert.deepEqual([back.data[0].id, back.prevCursor, back.search], [ids[2], null, null]);
    const spec = (await server.call('GET', '/openapi.json')).body;
    const documented = spec.paths['/v1/apps/{app}/events'].get.parameters.map((p: { name: string }) => p.name);
    for (const name of ['id', 'idempotencyKey', 'endpoint', 'status', 'where', 'before', 'after']) {
      assert.ok(documented.includes(name), `the OpenAPI document lists ${name}`);
    }
  });

  await t.test('after all of that the server still answers /healthz', async () => {
    const answer = await callApi(base, null, 'GET', '/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'ok' });
    assert.equal((await server.call('GET', '/v1/apps/acme')).status, 200);
  });
});

test('the README error table lists exactly the codes of src/api/errors.ts with their statuses', () => {
  assert.ok(existsSync(README), `${README} is missing; it must hold the error table`);
  const rows = new Map<string, number>();
  // Only the "## Errors" section: the SDK's receiver has its own table further on.
  const section = readFileSync(README, 'utf8').split('\n## Errors\n')[1]?.split('\n## ')[0] ?? '';
  for (const line of section.split('\n')) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*\S.*\|\s*$/.exec(line.trim());
    if (!match) continue;
    const [, code, status] = match as unknown as [string, string, string];
    assert.ok(!rows.has(code), `the README lists ${code} twice`);
    rows.set(code, Number(status));
  }
  const documented = Object.fromEntries(Object.entries(ERRORS).map(([code, [status]]) => [code, status]));
  assert.deepEqual(Object.fromEntries(rows), documented);
});
