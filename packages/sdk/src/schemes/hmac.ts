/**
 * The plain scheme from the webhook guides: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 * The key is the secret string as written (UTF-8), as a receiver following those guides would use it.
 */
import { createHmac } from 'node:crypto';
import { type Body, type HeaderSource, readHeader, safeEqual, toBuffer } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';

export const HMAC_SIGNATURE_HEADER = 'x-webhook-signature';

/** `sha256=<hex>` for one secret; several secrets give several comma-separated values. */
export function signHmacSha256Hex(body: Body, secrets: string | readonly string[]): string {
  const bytes = toBuffer(body);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return list.map((s) => `sha256=${createHmac('sha256', s).update(bytes).digest('hex')}`).join(',');
}

export interface HmacVerifyInput {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

export function verifyHmacSha256Hex(input: HmacVerifyInput): void {
  const header = readHeader(input.headers, HMAC_SIGNATURE_HEADER);
  if (!header) throw new WebhookVerificationError('header_missing', 'the X-Webhook-Signature header is missing');
  const offered = header.split(',').map((part) => part.trim());
  const bytes = toBuffer(input.body);
  const list = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  for (const secret of list) {
    const expected = `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;
    let match = false;
    for (const candidate of offered) match = safeEqual(candidate, expected) || match;
    if (match) return;
  }
  throw new WebhookVerificationError('signature_invalid', 'X-Webhook-Signature does not match the body and secret');
}
