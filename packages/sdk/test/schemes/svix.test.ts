/** Interop with the svix package, which sends Standard Webhooks under svix-* header names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'svix';
import { createReceiver } from '../../src/receiver/index.js';
import { signStandard, standardScheme, verifyStandard } from '../../src/schemes/standard.js';
import { generateSecret } from '../../src/secret.js';
import { codeOf } from './code-of.js';

const secret = generateSecret();
const body = '{"type":"invoice.paid","data":{"id":"in_1","amount_due":1200}}';
const nowSeconds = () => Math.floor(Date.now() / 1000);

function asSvix(headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }) {
  return {
    'svix-id': headers['webhook-id'],
    'svix-timestamp': headers['webhook-timestamp'],
    'svix-signature': headers['webhook-signature'],
  };
}

test('what svix signs, hookd verifies from the svix-* headers', () => {
  const now = nowSeconds();
  const signature = new Webhook(secret).sign('msg_svix_1', new Date(now * 1000), body);
  const headers = { 'svix-id': 'msg_svix_1', 'svix-timestamp': String(now), 'svix-signature': signature };
  assert.deepEqual(verifyStandard({ body, headers, secrets: secret }), { id: 'msg_svix_1', timestamp: now });
  assert.equal(
    codeOf(() => verifyStandard({ body: body.replace('1200', '1300'), headers, secrets: secret })),
    'signature_invalid',
  );
});

test('what hookd signs, svix verifies under svix-* and under webhook-* names', () => {
  const headers = signStandard({ id: 'msg_svix_2', timestamp: nowSeconds(), body, secrets: secret });
  const wh = new Webhook(secret);
  assert.deepEqual(wh.verify(body, asSvix(headers)), JSON.parse(body));
  assert.deepEqual(wh.verify(body, { ...headers }), JSON.parse(body));
  assert.throws(() => wh.verify(`${body}\n`, asSvix(headers)));
});

test('rotation: a hookd header signed with two secrets verifies in svix holding either', () => {
  const next = generateSecret();
  const headers = asSvix(signStandard({ id: 'msg_svix_3', timestamp: nowSeconds(), body, secrets: [secret, next] }));
  for (const held of [secret, next]) assert.ok(new Webhook(held).verify(body, headers));
  assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
});

test('a Svix-signed request replayed with a new unsigned webhook-id keeps its signed id: svix-id', () => {
  const now = nowSeconds();
  const signature = new Webhook(secret).sign('msg_svix_4', new Date(now * 1000), body);
  const headers = { 'svix-id': 'msg_svix_4', 'svix-timestamp': String(now), 'svix-signature': signature };
  for (const forged of ['anything-1', 'anything-2']) {
    const replay = { ...headers, 'webhook-id': forged };
    assert.equal(standardScheme.verify({ body, headers: replay, secrets: secret }).id, 'msg_svix_4');
    assert.equal(standardScheme.deliveryId(replay, JSON.parse(body)), 'msg_svix_4');
  }
});

test('the SDK receiver handles a Svix-signed delivery once, however its unsigned webhook-id is changed', async () => {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: secret } });
  let handled = 0;
  receiver.on('invoice.paid', () => {
    handled++;
  });
  const now = nowSeconds();
  const signature = new Webhook(secret).sign('msg_svix_5', new Date(now * 1000), body);
  const headers = { 'svix-id': 'msg_svix_5', 'svix-timestamp': String(now), 'svix-signature': signature };
  const answers = [];
  for (const forged of ['anything-1', 'anything-2', 'anything-3']) {
    answers.push(
      await receiver.handle({
        method: 'POST',
        headers: { ...headers, 'webhook-id': forged },
        remoteAddress: '127.0.0.1',
        readBody: async () => Buffer.from(body),
      }),
    );
  }
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200],
  );
  assert.deepEqual(
    answers.map((a) => JSON.parse(a.body).duplicate ?? false),
    [false, true, true],
  );
  assert.equal(handled, 1);
});
