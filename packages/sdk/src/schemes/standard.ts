/**
 * Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
 * base64-decoded `whsec_…` secret, or `v1a,<base64 Ed25519 signature of the same text>` made with a `whsk_…`
 * secret key and checked with its `whpk_…` public key. Several signatures (rotation) are space-separated.
 * Svix sends the same scheme under `svix-id`, `svix-timestamp` and `svix-signature`.
 */
import { type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { type Body, type HeaderSource, readHeader, toBuffer } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';
import { isPublicKey, isSecretKey, signingKey, verifyingKey } from '../keys.js';
import { cachedSecretKey, secretList } from '../secret.js';
import { checkTimestamp, hmacSha256, parseUnixSeconds, requireHeader, requireMatch, signatureEntries } from './checks.js';
import { stringAt } from './payload.js';
import type { Scheme } from './types.js';

export interface StandardSignInput {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: Body;
  /** One secret, or several during a rotation: each `whsec_…` adds a `v1,` signature, each `whsk_…` a `v1a,` one. */
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
  const signatures = secretList(input.secrets).map((secret) =>
    isSecretKey(secret)
      ? `v1a,${sign(null, signedBytes(signed, input.body), signingKey(secret)).toString('base64')}`
      : `v1,${hmacSha256(cachedSecretKey(secret), signed, input.body, 'base64')}`,
  );
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

export interface StandardVerifyInput {
  body: Body;
  headers: HeaderSource;
  /** `whsec_…` secrets check `v1,` signatures; `whpk_…` public keys check `v1a,` ones. */
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
  const signed = `${id}.${timestampText}.`;
  const secrets = secretList(input.secrets);
  const hmacSecrets = secrets.filter((secret) => !isPublicKey(secret) && !isSecretKey(secret));
  // Decoded before the header is read, so an unusable key is secret_invalid whatever the request carries.
  const publicKeys = secrets.filter((secret) => isPublicKey(secret) || isSecretKey(secret)).map(verifyingKey);
  const hmacOffered = hmacSecrets.length > 0 ? signatureEntries(signatureHeader, ' ', 'v1,') : [];
  const ed25519Offered = publicKeys.length > 0 ? signatureEntries(signatureHeader, ' ', 'v1a,') : [];
  if (hmacOffered.length === 0 && ed25519Offered.length === 0) {
    const versions = [hmacSecrets.length > 0 ? 'v1,' : null, publicKeys.length > 0 ? 'v1a,' : null].filter(Boolean);
    throw new WebhookVerificationError('header_invalid', `${names.signature} holds no ${versions.join(' or ')}… signature`);
  }
  if (ed25519Offered.length > 0 && verifiesEd25519(publicKeys, ed25519Offered, signedBytes(signed, input.body))) {
    return { id, timestamp };
  }
  const expected = hmacSecrets.map((secret) => hmacSha256(cachedSecretKey(secret), signed, input.body, 'base64'));
  requireMatch(expected, hmacOffered, names.signature);
  return { id, timestamp };
}

function signedBytes(signed: string, body: Body): Buffer {
  return typeof body === 'string' ? Buffer.from(signed + body) : Buffer.concat([Buffer.from(signed), toBuffer(body)]);
}

/** Whether some offered `v1a` signature verifies under some key. Ed25519 verification holds no secret to time. */
function verifiesEd25519(keys: readonly KeyObject[], offered: readonly string[], data: Buffer): boolean {
  for (const publicKey of keys) {
    for (const signature of offered) {
      const bytes = Buffer.from(signature, 'base64');
      if (bytes.length === 64 && verify(null, data, publicKey, bytes)) return true;
    }
  }
  return false;
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
