import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { Hono } from 'hono';
import { createReceiver, toFetchHandler } from '../../src/receiver/index.js';
import { adapterContract } from './adapter-contract.js';
import { SECRET, serveFetch, signed } from './helpers.js';

// Hono served over node:http the way @hono/node-server does: the node request is in `c.env.incoming`.
adapterContract('fetch (Hono)', async (receiver) => {
  const handle = toFetchHandler(receiver);
  const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>();
  app.all('/webhooks', (c) => handle(c.req.raw, { remoteAddress: c.env.incoming.socket.remoteAddress }));
  const running = await serveFetch((request, incoming) => app.fetch(request, { incoming }));
  return { url: `${running.url}/webhooks`, close: running.close };
});

const payment = { type: 'payment.completed', data: { amount: 42 } };

function requestOf(request: { body: string; headers: Record<string, string> }): Request {
  return new Request('http://receiver.test/webhooks', { method: 'POST', headers: request.headers, body: request.body });
}

test('fetch: plain Request objects, with and without a remote address', async () => {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET }, allowIps: ['10.0.0.0/8'] });
  const types: string[] = [];
  receiver.on('payment.*', (event) => {
    types.push(event.type);
  });
  const handle = toFetchHandler(receiver);
  const allowed = await handle(requestOf(signed(payment)), { remoteAddress: '::ffff:10.9.8.7' });
  assert.equal(allowed.status, 200);
  assert.deepEqual(await allowed.json(), { received: true });
  const unknown = await handle(requestOf(signed(payment)));
  assert.equal(unknown.status, 403, 'no address is not an allowed address');
  assert.deepEqual(types, ['payment.completed']);
});

test('fetch: a streamed body past the limit is cut off with 413', async () => {
  const receiver = createReceiver({ maxBodyBytes: 100 });
  const handle = toFetchHandler(receiver);
  const chunks = [new Uint8Array(60).fill(32), new Uint8Array(60).fill(32)];
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
  const request = new Request('http://receiver.test/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  const response = await handle(request);
  assert.equal(response.status, 413);
  assert.equal(chunks.length, 0, 'read up to the chunk that crossed the limit');
});
