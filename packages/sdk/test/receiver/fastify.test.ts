import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createReceiver, toFastifyPlugin } from '../../src/receiver/index.js';
import { adapterContract } from './adapter-contract.js';
import { post, SECRET, signed } from './helpers.js';

adapterContract('Fastify 5', async (receiver) => {
  const app = Fastify();
  await app.register(toFastifyPlugin(receiver), { prefix: '/webhooks' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${address}/webhooks`, close: () => app.close() };
});

test('Fastify: the raw-body parser stays in the plugin scope; the app still parses JSON elsewhere', async (t) => {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
  const bodies: string[] = [];
  receiver.on('*', (event) => {
    bodies.push(event.body);
  });
  const app = Fastify();
  app.post('/echo', async (request) => ({ parsed: request.body }));
  await app.register(toFastifyPlugin(receiver, { path: '/stripe' }), { prefix: '/webhooks' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());

  const spaced = '{ "type": "payment.completed",   "data": { "amount": 42 } }';
  assert.equal((await post(`${address}/webhooks/stripe`, signed(spaced))).status, 200);
  assert.deepEqual(bodies, [spaced]);

  const echo = await fetch(`${address}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
    signal: AbortSignal.timeout(5_000),
  });
  assert.deepEqual(await echo.json(), { parsed: { a: 1 } });
});
