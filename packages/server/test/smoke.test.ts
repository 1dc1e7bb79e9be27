import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

test('a published event reaches its endpoint, signed so standardwebhooks verifies it', async (t) => {
  const server = await startTestHookd();
  const receiver = await startReceiver();
  t.after(() => Promise.all([server.close(), receiver.close()]));
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url });
  assert.equal(ep.status, 201);
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'payment.completed', data: { amount: 5 } });
  assert.equal(published.status, 202);
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const verified = new Webhook(ep.body.secret).verify(request.body, request.headers as Record<string, string>);
  assert.deepEqual(verified, { type: 'payment.completed', timestamp: published.body.timestamp, data: { amount: 5 } });
  assert.equal(request.headers['webhook-id'], published.body.id);
});
