import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateMasterKey, isSealed, keyIdOf, MissingKeyError, SecretBox } from './secret-box.js';

test('seals with a fresh nonce each time and opens what it sealed', () => {
  const box = new SecretBox([generateMasterKey()]);
  const a = box.seal('whsec_abc');
  const b = box.seal('whsec_abc');
  assert.notEqual(a, b);
  assert.ok(isSealed(a));
  assert.equal(keyIdOf(a), box.keyId);
  assert.ok(!a.includes('whsec_abc'));
  assert.equal(box.open(a), 'whsec_abc');
  assert.equal(box.open('plain text'), 'plain text', 'a value from before encryption is taken as it is');
});

test('a tampered value does not open', () => {
  const key = generateMasterKey();
  const sealed = new SecretBox([key]).seal('secret');
  const bytes = Buffer.from(sealed.split(':')[2] as string, 'base64');
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 1;
  const tampered = `enc1:${key.id}:${bytes.toString('base64')}`;
  assert.throws(() => new SecretBox([key]).open(tampered));
});

test('a keyring seals with its first key and opens with any; a value under a key it lacks names the key', () => {
  const [oldKey, newKey] = [generateMasterKey(), generateMasterKey()];
  const underOld = new SecretBox([oldKey]).seal('s');
  const ring = new SecretBox([newKey, oldKey]);
  assert.equal(ring.open(underOld), 's');
  assert.equal(keyIdOf(ring.reseal(underOld)), newKey.id);
  assert.throws(
    () => new SecretBox([newKey]).open(underOld),
    (error: unknown) => error instanceof MissingKeyError && error.message.includes(oldKey.id),
  );
});

test('a value under an unknown key makes the box read its keys again, once', () => {
  const [oldKey, newKey] = [generateMasterKey(), generateMasterKey()];
  let reloads = 0;
  let keys = [oldKey];
  const reload = () => {
    reloads++;
    return keys;
  };
  const box = new SecretBox(keys, { reload });
  const underNew = new SecretBox([newKey]).seal('s');
  assert.throws(() => box.open(underNew), MissingKeyError);
  assert.throws(() => box.open(underNew), MissingKeyError);
  assert.equal(reloads, 1);
  keys = [newKey, oldKey];
  box.reload();
  assert.equal(box.open(underNew), 's');
});
