import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import express from 'express';
import { createReceiver, type Receiver, toExpressMiddleware } from '../../src/receiver/index.js';
import { adapterContract } from './adapter-contract.js';
import { listen, post, type Running, SECRET, signed } from './helpers.js';

async function serve(app: express.Express): Promise<Running> {
  const running = await listen(createServer(app));
  return { url: `${running.url}/webhooks`, close: running.close };
}

adapterContract('Express 5', (receiver) => {
  const app = express();
  app.all('/webhooks', toExpressMiddleware(receiver));
  return serve(app);
});

function paymentReceiver(): { receiver: Receiver; bodies: string[] } {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
  const bodies: string[] = [];
  receiver.on('payment.completed', (event) => {
    bodies.push(event.body);
  });
  return { receiver, bodies };
}

// Spaces and key order a re-serialization would lose: the signature only holds over these exact bytes.
const spaced = '{ "type": "payment.completed",  "data": { "amount": 42 } }';

test('Express: after express.json() with a verify hook keeping req.rawBody, the exact bytes are verified', async (t) => {
  const { receiver, bodies } = paymentReceiver();
  const app = express();
  app.use(
    express.json({
      verify: (req, _res, buf) => {
        (req as typeof req & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  app.post('/webhooks', toExpressMiddleware(receiver));
  const running = await serve(app);
  t.after(running.close);
  assert.equal((await post(running.url, signed(spaced))).status, 200);
  assert.deepEqual(bodies, [spaced]);
});

test('Express: express.raw() on the route gives the bytes', async (t) => {
  const { receiver, bodies } = paymentReceiver();
  const app = express();
  app.post('/webhooks', express.raw({ type: () => true }), toExpressMiddleware(receiver));
  const running = await serve(app);
  t.after(running.close);
  assert.equal((await post(running.url, signed(spaced))).status, 200);
  assert.deepEqual(bodies, [spaced]);
});

test('Express: after a plain express.json() the receiver refuses with 500 and says how to mount it', async (t) => {
  const { receiver, bodies } = paymentReceiver();
  const app = express();
  app.use(express.json());
  app.post('/webhooks', toExpressMiddleware(receiver));
  const running = await serve(app);
  t.after(running.close);
  const reply = await post(running.url, signed(spaced));
  assert.equal(reply.status, 500);
  assert.equal(reply.json.error?.code, 'raw_body_unavailable');
  assert.match(reply.json.error?.message ?? '', /express\.json\(\{ verify:/);
  assert.match(reply.json.error?.message ?? '', /express\.raw/);
  assert.deepEqual(bodies, []);
  assert.equal(receiver.metrics.refused.raw_body_unavailable, 1);
});

test('Express: express.json() that skipped the body (not its content type) leaves the stream to the receiver', async (t) => {
  const { receiver, bodies } = paymentReceiver();
  const app = express();
  app.use(express.json());
  app.post('/webhooks', toExpressMiddleware(receiver));
  const running = await serve(app);
  t.after(running.close);
  const request = signed(spaced);
  const reply = await post(running.url, { ...request, headers: { ...request.headers, 'content-type': 'text/plain' } });
  assert.equal(reply.status, 200);
  assert.deepEqual(bodies, [spaced]);
});
