/**
 * Custom headers per endpoint, end to end: kept and shown by the API, sent with every delivery beside hookd's own,
 * and refused when they would override hookd's headers or break the request. Real hookd and receiver on loopback.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { type Received, startReceiver } from './helpers/receiver.js';

async function setup(t: TestContext) {
  const server = await startTestHookd();
  const receiver = await startReceiver();
  t.after(async () => {
    await receiver.close();
    await server.close();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return { server, receiver };
}

test('an endpoint’s custom headers reach the receiver with every delivery, beside hookd’s own', async (t) => {
  const { server, receiver } = await setup(t);
  const headers = { 'X-Team': 'payments', Authorization: 'Bearer receiver-token' };
  const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, headers });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.headers, headers);
  const ep = created.body.id as string;
  assert.deepEqual((await server.call('GET', `/v1/apps/acme/endpoints/${ep}`)).body.headers, headers);

  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } });
  const [first] = (await receiver.waitFor(1)) as [Received];
  assert.equal(first.headers['x-team'], 'payments');
  assert.equal(first.headers.authorization, 'Bearer receiver-token');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.match(String(first.headers['user-agent']), /^hookd\//);
  new Webhook(created.body.secret).verify(first.body, first.headers as Record<string, string>);
  // The attempt's record shows what was sent, custom headers included.
  const { body: deliveries } = await server.call('GET', `/v1/apps/acme/events/${published.body.id}/deliveries`);
  const attempts = await eventually(async () => {
    const { body } = await server.call('GET', `/v1/apps/acme/deliveries/${deliveries.data[0].id}`);
    return body.attempts.length > 0 ? body.attempts : undefined;
  });
  assert.equal(attempts[0].requestHeaders['X-Team'], 'payments');

  // A patch replaces them whole; `{}` removes them.
  const patched = await server.call('PATCH', `/v1/apps/acme/endpoints/${ep}`, { headers: { 'X-Team': 'billing' } });
  assert.equal(patched.status, 200);
  assert.deepEqual(patched.body.headers, { 'X-Team': 'billing' });
  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 2 } });
  const second = (await receiver.waitFor(2))[1] as Received;
  assert.equal(second.headers['x-team'], 'billing');
  assert.equal(second.headers.authorization, undefined);

  assert.deepEqual((await server.call('PATCH', `/v1/apps/acme/endpoints/${ep}`, { headers: {} })).body.headers, {});
  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 3 } });
  const third = (await receiver.waitFor(3))[2] as Received;
  assert.equal(third.headers['x-team'], undefined);
});

test('an endpoint created without custom headers shows {}', async (t) => {
  const { server, receiver } = await setup(t);
  const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url });
  assert.deepEqual(created.body.headers, {});
  const listed = await server.call('GET', '/v1/apps/acme/endpoints');
  assert.deepEqual(listed.body.data[0].headers, {});
});

test('custom headers that would override hookd’s, or break the request, are refused with a clear message', async (t) => {
  const { server, receiver } = await setup(t);
  const ep = (await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url })).body.id as string;
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ 'Content-Type': 'text/plain' }, /"Content-Type" is set by hookd/],
    [{ 'content-length': '1' }, /"content-length" is set by hookd/],
    [{ 'User-Agent': 'me' }, /"User-Agent" is set by hookd/],
    [{ Host: 'example.com' }, /"Host" is set by hookd/],
    [{ 'webhook-signature': 'v1,forged' }, /"webhook-signature" is set by hookd/],
    [{ 'Webhook-Id': 'msg_1' }, /"Webhook-Id" is set by hookd/],
    [{ 'X-Webhook-Signature': 'sha256=00' }, /"X-Webhook-Signature" is set by hookd/],
    [{ 'X Team': 'a' }, /"X Team" is not a valid header name/],
    [{ 'X-Team': 'a\r\nX-Injected: 1' }, /value of the header "X-Team"/],
    [{ 'X-Team': 'a\u0000b' }, /value of the header "X-Team"/],
    [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])), /at most 20 custom headers, not 21/],
    [{ 'X-Team': 42 }, /headers\/X-Team must be string/],
  ];
  for (const [headers, message] of refused) {
    for (const [method, path] of [
      ['POST', '/v1/apps/acme/endpoints'],
      ['PATCH', `/v1/apps/acme/endpoints/${ep}`],
    ] as const) {
      const body = method === 'POST' ? { url: receiver.url, headers } : { headers };
      const answer = await server.call(method, path, body);
      assert.equal(answer.status, 400, `${method} ${JSON.stringify(headers)}`);
      assert.equal(answer.body.error.code, 'validation_failed');
      assert.match(answer.body.error.message, message);
    }
  }
  const list = await server.call('GET', '/v1/apps/acme/endpoints');
  assert.equal(list.body.data.length, 1, 'no refused endpoint was created');
  assert.deepEqual(list.body.data[0].headers, {}, 'no refused patch was applied');
});
