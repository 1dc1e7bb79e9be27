import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { generateKeyPair, publicKeyOf } from '../keys.js';
import { generateSecret } from '../secret.js';
import { signStandard, verifyStandard } from './standard.js';

const now = 1_767_225_600;
const body = '{"type":"payment.completed","timestamp":"2026-01-01T00:00:00.000Z","data":{"amount":5}}';
const pair = generateKeyPair();

/** The public key as the spec serialises it (`whpk_` + base64 of the raw key), read with node:crypto's JWK form. */
function specPublicKey(whpk: string) {
  const x = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  assert.equal(x.length, 32);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' });
}

test('v1a is the base64 Ed25519 signature of "id.timestamp.body", checked with node:crypto from the spec alone', () => {
  const headers = signStandard({ id: 'msg_1', timestamp: now, body, secrets: pair.secretKey });
  assert.match(headers['webhook-signature'], /^v1a,[A-Za-z0-9+/]{86}==$/);
  const signature = Buffer.from(headers['webhook-signature'].slice('v1a,'.length), 'base64');
  assert.ok(verify(null, Buffer.from(`msg_1.${now}.${body}`), specPublicKey(pair.publicKey), signature));
  assert.ok(!verify(null, Buffer.from(`msg_1.${now}.${body} `), specPublicKey(pair.publicKey), signature));
});

test('a v1a signature made with node:crypto from the spec alone verifies with the whpk_ key', () => {
  const seed = Buffer.from(pair.secretKey.slice('whsk_'.length), 'base64').subarray(0, 32);
  const x = Buffer.from(pair.publicKey.slice('whpk_'.length), 'base64');
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: x.toString('base64url') },
    format: 'jwk',
  });
  const signature = sign(null, Buffer.from(`msg_2.${now}.${body}`), key).toString('base64');
  const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(now), 'webhook-signature': `v1a,${signature}` };
  assert.deepEqual(verifyStandard({ body, headers, secrets: pair.publicKey, now }), { id: 'msg_2', timestamp: now });
  // A body given as bytes verifies the same.
  assert.equal(
    codeOf(() => verifyStandard({ body: Buffer.from(body), headers, secrets: pair.publicKey, now })),
    undefined,
  );
});

test('a tampered body, another id or a signature from another key is signature_invalid', () => {
  const headers = signStandard({ id: 'msg_3', timestamp: now, body, secrets: pair.secretKey });
  const secrets = pair.publicKey;
  assert.equal(
    codeOf(() => verifyStandard({ body: body.replace('5', '6'), headers, secrets, now })),
    'signature_invalid',
  );
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: { ...headers, 'webhook-id': 'msg_4' }, secrets, now })),
    'signature_invalid',
  );
  const other = signStandard({ id: 'msg_3', timestamp: now, body, secrets: generateKeyPair().secretKey });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: other, secrets, now })),
    'signature_invalid',
  );
  // The timestamp is signed and checked like v1's.
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets, now: now + 3600 })),
    'timestamp_too_old',
  );
});

test('a rotation from a whsec_ secret to a key pair signs with both, and each receiver verifies its own', () => {
  const hmac = generateSecret();
  const headers = signStandard({ id: 'msg_5', timestamp: now, body, secrets: [pair.secretKey, hmac] });
  const [first, second] = headers['webhook-signature'].split(' ');
  assert.ok(first?.startsWith('v1a,') && second?.startsWith('v1,'));
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: pair.publicKey, now })),
    undefined,
  );
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: hmac, now })),
    undefined,
  );
  // A receiver of only the public key finds no v1a in a v1-only header: header_invalid, as v1 has it.
  const v1Only = signStandard({ id: 'msg_5', timestamp: now, body, secrets: hmac });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: v1Only, secrets: pair.publicKey, now })),
    'header_invalid',
  );
});

test('keys: whsk_ holds seed and public key, whpk_ the public key; publicKeyOf derives it; bad keys are secret_invalid', () => {
  assert.equal(Buffer.from(pair.secretKey.slice(5), 'base64').length, 64);
  assert.equal(publicKeyOf(pair.secretKey), pair.publicKey);
  // A whsk_ of the 32-byte seed alone signs the same.
  const seedOnly = `whsk_${Buffer.from(pair.secretKey.slice(5), 'base64').subarray(0, 32).toString('base64')}`;
  assert.equal(publicKeyOf(seedOnly), pair.publicKey);
  const headers = signStandard({ id: 'msg_6', timestamp: now, body, secrets: seedOnly });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: pair.publicKey, now })),
    undefined,
  );
  for (const bad of ['whpk_', 'whpk_AAAA', `${pair.publicKey}x`, 'whsk_not base64', 'whsk_AAAA']) {
    assert.equal(
      codeOf(() => verifyStandard({ body, headers, secrets: bad, now })),
      'secret_invalid',
      bad,
    );
  }
});
