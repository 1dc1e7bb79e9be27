/**
 * The plain scheme from the webhook guides: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 * The key is the secret string as written (UTF-8), as a receiver following those guides would use it.
 * hookd sends it with `X-Webhook-Event`, `X-Webhook-Delivery` and `X-Webhook-Attempt`.
 */
import { type Body, type HeaderSource, readHeader } from '../bytes.js';
import { secretList } from '../secret.js';
import { hmacSha256, requireHeader, requireMatch, signaturesAfter } from './checks.js';
import { stringAt } from './payload.js';
import type { Scheme } from './types.js';

export const HMAC_SIGNATURE_HEADER = 'x-webhook-signature';

/** `sha256=<hex>` for one secret; several secrets give several comma-separated values. */
export function signHmacSha256Hex(body: Body, secrets: string | readonly string[]): string {
  return secretList(secrets)
    .map((s) => `sha256=${hmacSha256(s, '', body, 'hex')}`)
    .join(',');
}

export interface HmacVerifyInput {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

export function verifyHmacSha256Hex(input: HmacVerifyInput): void {
  const header = requireHeader(input.headers, HMAC_SIGNATURE_HEADER, 'X-Webhook-Signature');
  const offered = signaturesAfter(header, ',', 'sha256=', 'X-Webhook-Signature');
  const expected = secretList(input.secrets).map((s) => hmacSha256(s, '', input.body, 'hex'));
  requireMatch(expected, offered, 'X-Webhook-Signature');
}

export const hmacSha256HexScheme: Scheme = {
  name: 'hmac-sha256-hex',
  verify: (input) => {
    verifyHmacSha256Hex(input);
    return { scheme: 'hmac-sha256-hex' };
  },
  sign: ({ body, secrets }) => ({ [HMAC_SIGNATURE_HEADER]: signHmacSha256Hex(body, secrets) }),
  deliveryId: (headers) => readHeader(headers, 'x-webhook-delivery') ?? null,
  eventType: (headers, payload) => readHeader(headers, 'x-webhook-event') ?? stringAt(payload, 'type'),
};
