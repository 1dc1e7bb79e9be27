import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { hmacSha256HexScheme, signHmacSha256Hex, verifyHmacSha256Hex } from './hmac.js';

const secret = 'whsec_plain-secret-for-tests';
const body = '{"type":"order.created","data":{}}';

test('the signature is sha256= and the hex HMAC of the body keyed with the secret as written', () => {
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  assert.equal(signHmacSha256Hex(body, secret), `sha256=${expected}`);
  assert.equal(signHmacSha256Hex(body, [secret, 'next']).split(',').length, 2);
});

test('a signed body verifies; a changed body or another secret does not', () => {
  const headers = { 'X-Webhook-Signature': signHmacSha256Hex(body, secret) };
  verifyHmacSha256Hex({ body, headers, secrets: secret });
  assert.equal(
    codeOf(() => verifyHmacSha256Hex({ body: `${body}x`, headers, secrets: secret })),
    'signature_invalid',
  );
  assert.equal(
    codeOf(() => verifyHmacSha256Hex({ body, headers, secrets: 'other' })),
    'signature_invalid',
  );
  assert.equal(
    codeOf(() => verifyHmacSha256Hex({ body, headers: {}, secrets: secret })),
    'header_missing',
  );
});

test('the hex must be the body HMAC itself: a bare hex value or an upper-case one is not accepted', () => {
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  assert.equal(
    codeOf(() => verifyHmacSha256Hex({ body, headers: { 'x-webhook-signature': hex }, secrets: secret })),
    'header_invalid',
  );
  const upper = { 'x-webhook-signature': `sha256=${hex.toUpperCase()}` };
  assert.equal(
    codeOf(() => verifyHmacSha256Hex({ body, headers: upper, secrets: secret })),
    'signature_invalid',
  );
});

test('the delivery id is X-Webhook-Delivery and the type X-Webhook-Event, else the payload type', () => {
  const headers = { 'x-webhook-delivery': 'dlv_1', 'x-webhook-event': 'order.created' };
  assert.equal(hmacSha256HexScheme.deliveryId(headers, {}), 'dlv_1');
  assert.equal(hmacSha256HexScheme.eventType(headers, { type: 'other' }), 'order.created');
  assert.equal(hmacSha256HexScheme.eventType({}, { type: 'order.paid' }), 'order.paid');
  assert.equal(hmacSha256HexScheme.deliveryId({}, {}), null);
});
