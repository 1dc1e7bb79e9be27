/** Interop with the standardwebhooks package, the reference library of the Standard Webhooks spec. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signStandard, verifyStandard } from '../../src/schemes/standard.js';
import { generateSecret } from '../../src/secret.js';
import { codeOf } from './code-of.js';

const secret = generateSecret();
const body = '{"type":"payment.completed","timestamp":"2026-01-01T00:00:00.000Z","data":{"amount":5}}';
// The library checks timestamps against the real clock, so these tests sign with it too.
const nowSeconds = () => Math.floor(Date.now() / 1000);

test('what hookd signs, the standardwebhooks package verifies', () => {
  const headers = signStandard({ id: 'msg_1', timestamp: nowSeconds(), body, secrets: secret });
  assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
});

test('what the standardwebhooks package signs, hookd verifies', () => {
  const now = nowSeconds();
  const signature = new Webhook(secret).sign('msg_2', new Date(now * 1000), body);
  const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(now), 'webhook-signature': signature };
  assert.deepEqual(verifyStandard({ body, headers, secrets: secret }), { id: 'msg_2', timestamp: now });
});

test('both refuse the same tampering: a changed body or another secret', () => {
  const headers = signStandard({ id: 'msg_3', timestamp: nowSeconds(), body, secrets: secret });
  const other = generateSecret();
  assert.throws(() => new Webhook(secret).verify(`${body} `, { ...headers }));
  assert.throws(() => new Webhook(other).verify(body, { ...headers }));
  assert.equal(
    codeOf(() => verifyStandard({ body: `${body} `, headers, secrets: secret })),
    'signature_invalid',
  );
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: other })),
    'signature_invalid',
  );
});

test('during a rotation both secrets sign, and the library holding either verifies', () => {
  const next = generateSecret();
  const headers = signStandard({ id: 'msg_4', timestamp: nowSeconds(), body, secrets: [secret, next] });
  for (const held of [secret, next]) assert.ok(new Webhook(held).verify(body, { ...headers }));
});

test('a header of two library signatures (old and new secret) verifies with hookd holding either', () => {
  const now = nowSeconds();
  const next = generateSecret();
  const both = [secret, next].map((s) => new Webhook(s).sign('msg_5', new Date(now * 1000), body)).join(' ');
  const headers = { 'webhook-id': 'msg_5', 'webhook-timestamp': String(now), 'webhook-signature': both };
  for (const held of [secret, next]) assert.equal(verifyStandard({ body, headers, secrets: held }).id, 'msg_5');
});
