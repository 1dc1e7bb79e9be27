/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's client secret
 * as written (UTF-8). No timestamp is signed; receivers de-duplicate on `X-Shopify-Webhook-Id`.
 */
import { type Body, type HeaderSource, readHeader } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';
import { secretList } from '../secret.js';
import { hmacSha256, requireHeader, requireMatch } from './checks.js';
import type { Scheme } from './types.js';

export const SHOPIFY_SIGNATURE_HEADER = 'x-shopify-hmac-sha256';

export interface ShopifyVerifyInput {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

/** The base64 signature; several secrets (a rotation) give comma-separated values, which base64 never holds. */
export function signShopify(body: Body, secrets: string | readonly string[]): string {
  return secretList(secrets)
    .map((s) => hmacSha256(s, '', body, 'base64'))
    .join(',');
}

export function verifyShopify(input: ShopifyVerifyInput): void {
  const header = requireHeader(input.headers, SHOPIFY_SIGNATURE_HEADER, 'X-Shopify-Hmac-Sha256');
  const offered = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (offered.length === 0) throw new WebhookVerificationError('header_invalid', 'X-Shopify-Hmac-Sha256 holds no signature');
  const expected = secretList(input.secrets).map((s) => hmacSha256(s, '', input.body, 'base64'));
  requireMatch(expected, offered, 'X-Shopify-Hmac-Sha256');
}

export const shopifyScheme: Scheme = {
  name: 'shopify',
  verify: (input) => {
    verifyShopify(input);
    return { scheme: 'shopify' };
  },
  sign: ({ body, secrets }) => ({ [SHOPIFY_SIGNATURE_HEADER]: signShopify(body, secrets) }),
  deliveryId: (headers) => readHeader(headers, 'x-shopify-webhook-id') ?? readHeader(headers, 'x-shopify-event-id') ?? null,
  eventType: (headers) => readHeader(headers, 'x-shopify-topic') ?? null,
};
