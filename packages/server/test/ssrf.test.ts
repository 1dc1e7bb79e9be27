/**
 * SSRF rules end to end: endpoint URLs that point at loopback, private or metadata addresses are
 * refused at creation, and a name that rebinds to loopback after creation is refused at send time.
 * No test here lets hookd open a connection to anything but loopback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resolver } from '../src/delivery/index.js';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const STRICT = { allowNetworks: '' };

test('with no network allowed, endpoint URLs at loopback, private and metadata addresses are refused with 422 url_not_allowed', async (t) => {
  const server = await startTestHookd(STRICT);
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });

  const refused = [
    'http://localhost:8080/webhook', // a name, resolved through the system's DNS to loopback
    'http://[::1]:8080/webhook',
    'http://0.0.0.0/',
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/', // 127.0.0.1 in decimal
    'http://0177.0.0.1/', // 127.0.0.1 in octal
    'http://0x7f.0.0.1/', // 127.0.0.1 in hex
    'http://10.0.0.1/',
    'https://192.168.0.10/',
    'http://[fd00:ec2::254]/',
  ];
  for (const url of refused) {
    const answer = await server.call('POST', '/v1/apps/acme/endpoints', { url });
    assert.equal(answer.status, 422, `${url} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error.code, 'url_not_allowed', url);
    assert.equal(typeof answer.body.error.message, 'string');
  }

  const list = await server.call('GET', '/v1/apps/acme/endpoints');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data, [], 'no refused endpoint was stored');
});

test('with no network allowed, changing an endpoint URL to a loopback address is refused with 422 url_not_allowed', async (t) => {
  const resolve: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
  const server = await startTestHookd(STRICT, { resolve });
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  // Nothing is published to this endpoint, so hookd never connects to the public address.
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'https://public.test/webhook' });
  assert.equal(ep.status, 201);

  const answer = await server.call('PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`, { url: 'http://127.0.0.1:9/' });
  assert.equal(answer.status, 422);
  assert.equal(answer.body.error.code, 'url_not_allowed');
  const kept = await server.call('GET', `/v1/apps/acme/endpoints/${ep.body.id}`);
  assert.equal(kept.body.url, 'https://public.test/webhook');
});

test('endpoint URLs that are not absolute http(s) URLs are refused with 400 invalid_url', async (t) => {
  const server = await startTestHookd(STRICT);
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  for (const url of ['ftp://example.com/hook', 'not a url', 'file:///etc/passwd', '/webhook']) {
    const answer = await server.call('POST', '/v1/apps/acme/endpoints', { url });
    assert.equal(answer.status, 400, url);
    assert.equal(answer.body.error.code, 'invalid_url', url);
  }
});

test('a name that rebinds to loopback after the endpoint was created is refused at send time and the receiver gets nothing', async (t) => {
  const receiver = await startReceiver();
  const port = new URL(receiver.url).port;
  // Plays DNS for rebind.test: a public address while the endpoint is created (hookd only checks
  // it then, it does not connect), loopback once the test flips to sending. Any other name fails.
  let phase: 'create' | 'send' = 'create';
  const lookups: { hostname: string; phase: string }[] = [];
  const resolve: Resolver = async (hostname) => {
    lookups.push({ hostname, phase });
    if (hostname !== 'rebind.test') throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
    return phase === 'create' ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
  };
  const server = await startTestHookd(STRICT, { resolve });
  t.after(() => Promise.all([server.close(), receiver.close()]));

  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: `http://rebind.test:${port}/webhook` });
  assert.equal(ep.status, 201, JSON.stringify(ep.body));
  assert.deepEqual(lookups, [{ hostname: 'rebind.test', phase: 'create' }], 'creation resolved the name once');

  phase = 'send';
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { id: 1 } });
  assert.equal(published.status, 202);
  assert.equal(published.body.deliveries, 1);

  const deliveries = await server.call('GET', `/v1/apps/acme/events/${published.body.id}/deliveries`);
  const deliveryId = deliveries.body.data[0].id;
  const attempt = await eventually(
    async () => {
      const delivery = await server.call('GET', `/v1/apps/acme/deliveries/${deliveryId}`);
      return delivery.body.attempts[0];
    },
    5000,
    'the first attempt',
  );
  assert.equal(attempt.responseStatus, null);
  assert.equal(attempt.error.code, 'address_not_allowed', JSON.stringify(attempt.error));
  assert.ok(
    lookups.some((l) => l.phase === 'send'),
    'the name was resolved again at send time',
  );

  // Let the whole retry schedule (0, 50 ms, 50 ms) run out: no attempt may reach the receiver.
  const done = await eventually(
    async () => {
      const delivery = await server.call('GET', `/v1/apps/acme/deliveries/${deliveryId}`);
      return delivery.body.status === 'failed' ? delivery.body : undefined;
    },
    5000,
    'the delivery to fail',
  );
  assert.ok(done.attemptCount >= 1);
  assert.equal(receiver.requests.length, 0);
});

test('with loopback allowed (the test default), the same localhost endpoint is created and receives the event', async (t) => {
  const receiver = await startReceiver();
  const server = await startTestHookd();
  t.after(() => Promise.all([server.close(), receiver.close()]));
  const port = new URL(receiver.url).port;

  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: `http://localhost:${port}/webhook` });
  assert.equal(ep.status, 201, JSON.stringify(ep.body));
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { id: 1 } });
  assert.equal(published.status, 202);

  const [request] = await receiver.waitFor(1);
  assert.equal(request?.path, '/webhook');
  assert.equal(request?.headers['webhook-id'], published.body.id);
});
