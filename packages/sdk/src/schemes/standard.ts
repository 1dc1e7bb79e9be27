/**
 * Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed with the base64-decoded `whsec_…` secret. Several signatures (rotation) are space-separated.
 * Svix sends the same scheme under `svix-id`, `svix-timestamp` and `svix-signature`.
 */
import { randomUUID } from 'node:crypto';
import { type Body, type HeaderSource, readHeader } from '../bytes.js';
import { cachedSecretKey, secretList } from '../secret.js';
import { checkTimestamp, hmacSha256, parseUnixSeconds, requireHeader, requireMatch, signaturesAfter } from './checks.js';
import { stringAt } from './payload.js';
import type { Scheme } from './types.js';

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

export function signStandard(input: StandardSignInput): StandardHeaders {
  const timestamp = String(input.timestamp);
  const signed = `${input.id}.${timestamp}.`;
  const signatures = secretList(input.secrets).map((s) => `v1,${hmacSha256(cachedSecretKey(s), signed, input.body, 'base64')}`);
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
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

const WEBHOOK_NAMES = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;
const SVIX_NAMES = { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' } as const;

/**
 * The header family a request is verified with: `webhook-*` when it has a `webhook-signature`, else `svix-*`.
 * One family for id, timestamp and signature, so an id cannot be taken from one family and a signature from the other.
 */
function familyOf(headers: HeaderSource): typeof WEBHOOK_NAMES | typeof SVIX_NAMES {
  return readHeader(headers, WEBHOOK_NAMES.signature) === undefined ? SVIX_NAMES : WEBHOOK_NAMES;
}

/** Returns the verified id and timestamp; throws WebhookVerificationError with a code otherwise. */
export function verifyStandard(input: StandardVerifyInput): { id: string; timestamp: number } {
  const names = familyOf(input.headers);
  const signatureHeader = requireHeader(input.headers, names.signature);
  const id = requireHeader(input.headers, names.id);
  const timestampText = requireHeader(input.headers, names.timestamp);
  const timestamp = parseUnixSeconds(timestampText, names.timestamp);
  checkTimestamp(timestamp, input, names.timestamp);
  const offered = signaturesAfter(signatureHeader, ' ', 'v1,', names.signature);
  const signed = `${id}.${timestampText}.`;
  const expected: string[] = [];
  for (const secret of secretList(input.secrets))
    expected.push(hmacSha256(cachedSecretKey(secret), signed, input.body, 'base64'));
  requireMatch(expected, offered, names.signature);
  return { id, timestamp };
}

export const standardScheme: Scheme = {
  name: 'standard',
  verify: (input) => ({ scheme: 'standard', ...verifyStandard(input) }),
  sign: ({ body, secrets, timestamp, id }) =>
    signStandard({ body, secrets, id: id ?? `msg_${randomUUID()}`, timestamp: timestamp ?? Math.floor(Date.now() / 1000) }),
  deliveryId: (headers) => {
    // The id of the family verify reads the signature from: a Svix-signed request's unsigned `webhook-id` is not its id.
    const hasSignature = readHeader(headers, WEBHOOK_NAMES.signature) ?? readHeader(headers, SVIX_NAMES.signature);
    if (hasSignature !== undefined) return readHeader(headers, familyOf(headers).id) ?? null;
    return readHeader(headers, WEBHOOK_NAMES.id) ?? readHeader(headers, SVIX_NAMES.id) ?? null;
  },
  eventType: (_headers, payload) => stringAt(payload, 'type'),
};
