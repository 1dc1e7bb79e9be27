import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebhookVerificationError } from './errors.js';
import { generateSecret, secretKey, secretList } from './secret.js';

const isCode = (code: string) => (error: unknown) => error instanceof WebhookVerificationError && error.code === code;

test('a generated secret is whsec_ and 32 random bytes in base64', () => {
  const secret = generateSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(secretKey(secret).length, 32);
  assert.notEqual(generateSecret(), secret);
});

test('secretKey decodes the base64 after an optional whsec_, padded or not', () => {
  const key = Buffer.from('hookd test key bytes');
  const text = key.toString('base64');
  for (const form of [`whsec_${text}`, text, `whsec_${text.replace(/=+$/, '')}`]) assert.deepEqual(secretKey(form), key, form);
});

test('secretKey refuses text it could only half decode', () => {
  for (const bad of ['', 'whsec_', 'whsec_a', 'whsec_abc$def', 'whsec_ab cd', 'whsec_ab=cd', 'not base64!']) {
    assert.throws(() => secretKey(bad), isCode('secret_invalid'), bad);
  }
});

test('secretList takes one secret or several, and refuses none or an empty one', () => {
  assert.deepEqual(secretList('a'), ['a']);
  assert.deepEqual(secretList(['a', 'b']), ['a', 'b']);
  for (const bad of [[], '', ['a', '']]) assert.throws(() => secretList(bad), isCode('secret_invalid'));
});
