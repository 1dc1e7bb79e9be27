/**
 * Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed with the base64-decoded `whsec_…` secret. Several signatures (rotation) are space-separated.
 */
import { createHmac } from 'node:crypto';
import { type Body, type HeaderSource, readHeader, safeEqual, toBuffer } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';
import { secretKey } from '../secret.js';

export interface StandardSignInput {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: Body;
  /** One secret, or several during a rotation: each adds a `v1,` signature. */
  secrets: string | readonly string[];
}

export type StandardHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

function signature(key: Buffer, id: string, timestamp: number | string, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

export function signStandard(input: StandardSignInput): StandardHeaders {
  const body = toBuffer(input.body);
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  const signatures = secrets.map((s) => `v1,${signature(secretKey(s), input.id, input.timestamp, body)}`);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

export interface StandardVerifyInput {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
  /** Seconds a timestamp may be off from now; default 300. */
  toleranceSeconds?: number;
  /** Unix seconds, for tests; default the clock. */
  now?: number;
}

/** Returns the verified `webhook-id`; throws WebhookVerificationError with a code otherwise. */
export function verifyStandard(input: StandardVerifyInput): { id: string; timestamp: number } {
  const id = requireHeader(input.headers, 'webhook-id');
  const timestampText = requireHeader(input.headers, 'webhook-timestamp');
  const signatureHeader = requireHeader(input.headers, 'webhook-signature');
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError('header_invalid', 'webhook-timestamp is not a number of seconds');
  }
  const timestamp = Number(timestampText);
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const tolerance = input.toleranceSeconds ?? 300;
  if (timestamp < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', 'webhook-timestamp is too old');
  if (timestamp > now + tolerance) {
    throw new WebhookVerificationError('timestamp_in_future', 'webhook-timestamp is too far in the future');
  }
  const offered = signatureHeader
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => part.slice(3));
  const body = toBuffer(input.body);
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  for (const secret of secrets) {
    const expected = signature(secretKey(secret), id, timestampText, body);
    // Check every offered signature so timing does not reveal which one matched.
    let match = false;
    for (const candidate of offered) match = safeEqual(candidate, expected) || match;
    if (match) return { id, timestamp };
  }
  throw new WebhookVerificationError('signature_invalid', 'no webhook-signature matches the body and secret');
}

function requireHeader(headers: HeaderSource, name: string): string {
  const value = readHeader(headers, name) ?? readHeader(headers, name.replace('webhook-', 'svix-'));
  if (!value) throw new WebhookVerificationError('header_missing', `the ${name} header is missing`);
  return value;
}
