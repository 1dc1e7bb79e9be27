/** Interop with the svix package, which sends Standard Webhooks under svix-* header names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'svix';
import { signStandard, verifyStandard } from '../../src/schemes/standard.js';
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
