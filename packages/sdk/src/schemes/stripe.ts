/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`, keyed with the
 * endpoint's `whsec_…` signing secret as written (UTF-8; Stripe does not base64-decode it). Entries
 * other than `t` and `v1` (such as `v0`) are ignored, as Stripe's own libraries do.
 */
import type { Body, HeaderSource } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';
import { secretList } from '../secret.js';
import { checkTimestamp, hmacSha256, parseUnixSeconds, requireHeader, requireMatch, type TimeWindow } from './checks.js';
import { stringAt } from './payload.js';
import type { Scheme } from './types.js';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

export interface StripeSignInput {
  body: Body;
  secrets: string | readonly string[];
  /** Unix seconds. */
  timestamp: number;
}

/** The `Stripe-Signature` value: one `v1=` per secret. */
export function signStripe(input: StripeSignInput): string {
  const t = String(input.timestamp);
  const signatures = secretList(input.secrets).map((s) => `v1=${hmacSha256(s, `${t}.`, input.body, 'hex')}`);
  return `t=${t},${signatures.join(',')}`;
}

export interface StripeVerifyInput extends TimeWindow {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

/** Returns the signed timestamp; throws WebhookVerificationError with a code otherwise. */
export function verifyStripe(input: StripeVerifyInput): { timestamp: number } {
  const header = requireHeader(input.headers, STRIPE_SIGNATURE_HEADER, 'Stripe-Signature');
  const { timestampText, signatures } = parseStripeHeader(header);
  const timestamp = parseUnixSeconds(timestampText, 'Stripe-Signature t');
  checkTimestamp(timestamp, input, 'Stripe-Signature t');
  const expected = secretList(input.secrets).map((s) => hmacSha256(s, `${timestampText}.`, input.body, 'hex'));
  requireMatch(expected, signatures, 'Stripe-Signature v1');
  return { timestamp };
}

function parseStripeHeader(header: string): { timestampText: string; signatures: string[] } {
  let timestampText: string | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') timestampText = value;
    else if (key === 'v1' && value.length > 0) signatures.push(value);
  }
  if (timestampText === undefined) throw new WebhookVerificationError('header_invalid', 'Stripe-Signature has no t= timestamp');
  if (signatures.length === 0) throw new WebhookVerificationError('header_invalid', 'Stripe-Signature has no v1= signature');
  return { timestampText, signatures };
}

export const stripeScheme: Scheme = {
  name: 'stripe',
  verify: (input) => ({ scheme: 'stripe', timestamp: verifyStripe(input).timestamp }),
  sign: ({ body, secrets, timestamp }) => ({
    [STRIPE_SIGNATURE_HEADER]: signStripe({ body, secrets, timestamp: timestamp ?? Math.floor(Date.now() / 1000) }),
  }),
  // Stripe puts no delivery id in a header: the event's own id (`evt_…`) is the one that stays the same on retries.
  deliveryId: (_headers, payload) => stringAt(payload, 'id'),
  eventType: (_headers, payload) => stringAt(payload, 'type'),
};
