import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

const PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/**
 * The HMAC key behind a Standard Webhooks secret: the base64 after an optional `whsec_`, decoded,
 * as the standardwebhooks and svix libraries read it. Text that is not base64 is refused rather than
 * half-decoded: Node's decoder skips what it cannot read, which shows as fewer bytes than the length implies.
 */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  let length = encoded.length;
  if (length > 0 && encoded.charCodeAt(length - 1) === 61 /* = */) length--;
  if (length > 0 && encoded.charCodeAt(length - 1) === 61) length--;
  if (key.length === 0 || length % 4 === 1 || key.length !== Math.floor((length * 3) / 4)) {
    throw new WebhookVerificationError('secret_invalid', 'the secret is not base64 (after whsec_, if present)');
  }
  return key;
}

/** One secret or several (a rotation) as a list; an empty list or an empty secret is a configuration mistake. */
export function secretList(secrets: string | readonly string[]): readonly string[] {
  const list = typeof secrets === 'string' ? [secrets] : Array.isArray(secrets) ? secrets : [];
  if (list.length === 0) throw new WebhookVerificationError('secret_invalid', 'no secret was given');
  for (const secret of list) {
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new WebhookVerificationError('secret_invalid', 'a secret is empty');
    }
  }
  return list;
}

const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_SIZE = 256;

/** `secretKey` as a KeyObject, decoded once per secret: a receiver verifies with the same few secrets all day. */
export function cachedSecretKey(secret: string): KeyObject {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = createSecretKey(secretKey(secret));
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(secret, key);
  }
  return key;
}
