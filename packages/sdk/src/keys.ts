/**
 * Standard Webhooks asymmetric keys (Ed25519): the sender signs with `whsk_` + base64 of the 32-byte seed and the
 * 32-byte public key; receivers verify with `whpk_` + base64 of the public key, which cannot sign. A `whsk_` of
 * the seed alone is read too. Keys are decoded once per text and kept, as HMAC keys are.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

export const SECRET_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

// The fixed DER headers of an Ed25519 key in PKCS#8 (private) and SPKI (public) form (RFC 8410): the raw bytes follow.
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  /** `whsk_…`: signs; stays with the sender. */
  secretKey: string;
  /** `whpk_…`: verifies; handed to the receiver. */
  publicKey: string;
}

/** A new Ed25519 key pair in the Standard Webhooks form. */
export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const publicKey = Buffer.from(jwk.x as string, 'base64url');
  return {
    secretKey: SECRET_KEY_PREFIX + Buffer.concat([seed, publicKey]).toString('base64'),
    publicKey: PUBLIC_KEY_PREFIX + publicKey.toString('base64'),
  };
}

/** The `whpk_…` public key of a `whsk_…` secret key. */
export function publicKeyOf(secretKey: string): string {
  const raw = createPublicKey(signingKey(secretKey)).export({ format: 'der', type: 'spki' }).subarray(SPKI_HEADER.length);
  return PUBLIC_KEY_PREFIX + raw.toString('base64');
}

export function isSecretKey(text: string): boolean {
  return text.startsWith(SECRET_KEY_PREFIX);
}

export function isPublicKey(text: string): boolean {
  return text.startsWith(PUBLIC_KEY_PREFIX);
}

const cache = new Map<string, KeyObject>();
const CACHE_SIZE = 256;

function cached(text: string, make: () => KeyObject): KeyObject {
  let key = cache.get(text);
  if (key === undefined) {
    key = make();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(text, key);
  }
  return key;
}

/** The private key of a `whsk_…` secret key; `secret_invalid` when it is not one. */
export function signingKey(secretKey: string): KeyObject {
  return cached(secretKey, () => {
    const raw = decode(secretKey, SECRET_KEY_PREFIX, [32, 64]);
    // The seed is the private key; a trailing public key is the pair's other half and is derived again.
    return createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  });
}

/** The public key that verifies for a `whpk_…` key, or for a `whsk_…` one (a sender checking itself). */
export function verifyingKey(key: string): KeyObject {
  if (isSecretKey(key)) return cached(`pk:${key}`, () => createPublicKey(signingKey(key)));
  return cached(key, () => {
    const raw = decode(key, PUBLIC_KEY_PREFIX, [32]);
    return createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' });
  });
}

function decode(text: string, prefix: string, lengths: readonly number[]): Buffer {
  const raw = Buffer.from(text.slice(prefix.length), 'base64');
  if (!lengths.includes(raw.length) || raw.toString('base64') !== text.slice(prefix.length)) {
    throw new WebhookVerificationError(
      'secret_invalid',
      `a ${prefix}… key is base64 of ${lengths.join(' or ')} bytes (Ed25519, Standard Webhooks)`,
    );
  }
  return raw;
}
