import { randomBytes } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

const PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key behind a `whsec_…` secret (base64-decoded); other strings are used as UTF-8 bytes. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) return Buffer.from(secret, 'utf8');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length === 0) throw new WebhookVerificationError('secret_invalid', 'the secret holds no key bytes after whsec_');
  return key;
}
