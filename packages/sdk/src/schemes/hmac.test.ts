import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import type { WebhookVerificationError } from '../errors.js';
import { signHmacSha256Hex, verifyHmacSha256Hex } from './hmac.js';

const secret = 'whsec_plain-secret-for-tests';
const body = '{"type":"order.created","data":{}}';

test('the signature is sha256= and the hex HMAC of the body keyed with the secret as written', () => {
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  assert.equal(signHmacSha256Hex(body, secret), `sha256=${expected}`);
});

test('a signed body verifies; a changed body or another secret does not', () => {
  const headers = { 'X-Webhook-Signature': signHmacSha256Hex(body, secret) };
  verifyHmacSha256Hex({ body, headers, secrets: secret });
  for (const [b, s] of [
    [`${body}x`, secret],
    [body, 'other'],
  ] as const) {
    assert.throws(
      () => verifyHmacSha256Hex({ body: b, headers, secrets: s }),
      (e: WebhookVerificationError) => e.code === 'signature_invalid',
    );
  }
  assert.throws(
    () => verifyHmacSha256Hex({ body, headers: {}, secrets: secret }),
    (e: WebhookVerificationError) => e.code === 'header_missing',
  );
});
