import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { createReceiver, toNodeHandler } from '../../src/receiver/index.js';
import { adapterContract } from './adapter-contract.js';
import { listen, post, SECRET, signed } from './helpers.js';

adapterContract('node:http', (receiver) => listen(createServer(toNodeHandler(receiver))));

const payment = { type: 'payment.completed', data: { amount: 42 } };

test('node:http: the default limit is 1 MiB; one byte more is 413 and the connection is closed', async (t) => {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
  let handled = 0;
  receiver.on('*', () => {
    handled++;
  });
  const running = await listen(createServer(toNodeHandler(receiver)));
  t.after(() => running.close());
  const base = JSON.stringify({ ...payment, padding: '' });
  const fits = JSON.stringify({ ...payment, padding: 'x'.repeat(1024 * 1024 - base.length) });
  assert.equal(Buffer.byteLength(fits), 1024 * 1024);
  assert.equal((await post(running.url, signed(fits))).status, 200);
  const over = await post(running.url, signed(`${fits} `));
  assert.equal(over.status, 413);
  assert.equal(over.headers.get('connection'), 'close');
  assert.equal(handled, 1);
  assert.equal(receiver.metrics.refused.payload_too_large, 1);
});

test('node:http over IPv6: ::1 is matched against IPv6 ranges', async (t) => {
  for (const [allowIps, status] of [
    [['::1/128'], 200],
    [['2001:db8::/32', '127.0.0.0/8'], 403],
  ] as const) {
    const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET }, allowIps });
    receiver.on('*', () => {});
    const running = await listen(createServer(toNodeHandler(receiver)), '::1');
    t.after(() => running.close());
    assert.equal((await post(running.url, signed(payment))).status, status, allowIps.join());
  }
});

test('node:http: with trustProxy as a hop count, the address one hop out is the client (mapped IPv4 included)', async (t) => {
  const receiver = createReceiver({
    verify: { scheme: 'standard', secrets: SECRET },
    allowIps: ['198.51.100.0/24'],
    trustProxy: 1,
  });
  receiver.on('*', () => {});
  const running = await listen(createServer(toNodeHandler(receiver)));
  t.after(() => running.close());
  // The client put a forged allowed address first; the proxy appended the real one, which is what counts.
  assert.equal((await post(running.url, signed(payment), { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' })).status, 403);
  assert.equal((await post(running.url, signed(payment), { 'x-forwarded-for': '203.0.113.9, ::ffff:198.51.100.7' })).status, 200);
});
