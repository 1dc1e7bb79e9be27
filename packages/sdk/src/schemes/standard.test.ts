import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { WebhookVerificationError } from '../errors.js';
import { generateSecret } from '../secret.js';
import { signStandard, verifyStandard } from './standard.js';

const secret = generateSecret();
const now = Math.floor(Date.now() / 1000);
const body = '{"type":"payment.completed","timestamp":"2026-01-01T00:00:00.000Z","data":{"amount":5}}';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.code : `unexpected ${String(error)}`;
  }
  return undefined;
}

test('what hookd signs, the standardwebhooks package verifies', () => {
  const headers = signStandard({ id: 'msg_1', timestamp: now, body, secrets: secret });
  assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
});

test('what the standardwebhooks package signs, hookd verifies', () => {
  const signature = new Webhook(secret).sign('msg_2', new Date(now * 1000), body);
  const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(now), 'webhook-signature': signature };
  assert.deepEqual(verifyStandard({ body, headers, secrets: secret }), { id: 'msg_2', timestamp: now });
});

test('during a rotation both secrets sign, and a receiver holding either verifies', () => {
  const next = generateSecret();
  const headers = signStandard({ id: 'msg_3', timestamp: now, body, secrets: [secret, next] });
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const held of [secret, next]) assert.ok(new Webhook(held).verify(body, { ...headers }));
});

test('svix-* header names are accepted', () => {
  const signed = signStandard({ id: 'msg_4', timestamp: now, body, secrets: secret });
  const headers = {
    'svix-id': signed['webhook-id'],
    'svix-timestamp': signed['webhook-timestamp'],
    'svix-signature': signed['webhook-signature'],
  };
  assert.equal(verifyStandard({ body, headers, secrets: secret }).id, 'msg_4');
});

test('each kind of failure has its own code', () => {
  const headers = signStandard({ id: 'msg_5', timestamp: now, body, secrets: secret });
  assert.equal(
    codeOf(() => verifyStandard({ body: `${body} `, headers, secrets: secret })),
    'signature_invalid',
  );
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: generateSecret() })),
    'signature_invalid',
  );
  const { 'webhook-signature': _, ...unsigned } = headers;
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: unsigned, secrets: secret })),
    'header_missing',
  );
  const old = signStandard({ id: 'msg_5', timestamp: now - 301, body, secrets: secret });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: old, secrets: secret })),
    'timestamp_too_old',
  );
  const future = signStandard({ id: 'msg_5', timestamp: now + 301, body, secrets: secret });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: future, secrets: secret })),
    'timestamp_in_future',
  );
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: { ...headers, 'webhook-timestamp': 'soon' }, secrets: secret })),
    'header_invalid',
  );
});

test('property: sign then verify passes; changing one byte of body, id or timestamp fails', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\s,]/.test(s)),
      fc.nat(),
      fc.nat(),
      (bytes, id, where, delta) => {
        const headers = signStandard({ id, timestamp: now, body: bytes, secrets: secret });
        verifyStandard({ body: bytes, headers, secrets: secret, now });
        const tampered = Uint8Array.from(bytes);
        const i = where % tampered.length;
        tampered[i] = ((tampered[i] as number) + 1 + (delta % 255)) % 256;
        assert.equal(
          codeOf(() => verifyStandard({ body: tampered, headers, secrets: secret, now })),
          'signature_invalid',
        );
        assert.equal(
          codeOf(() => verifyStandard({ body: bytes, headers: { ...headers, 'webhook-id': `${id}x` }, secrets: secret, now })),
          'signature_invalid',
        );
        const shifted = { ...headers, 'webhook-timestamp': String(now + 1 + (delta % 100)) };
        assert.equal(
          codeOf(() => verifyStandard({ body: bytes, headers: shifted, secrets: secret, now })),
          'signature_invalid',
        );
      },
    ),
  );
});
