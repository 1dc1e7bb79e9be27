/** What `hookd listen` reads from a caught request: which provider signed it, whether the signature holds, its type. */
import { SCHEMES, type SchemeName, verify, WebhookVerificationError } from '@hookd/sdk/verify';
import type { Verification } from './listen-store.js';

/** The header that gives each scheme away, in the order they are looked for. */
const SIGNATURE_HEADERS: readonly [string, SchemeName][] = [
  ['stripe-signature', 'stripe'],
  ['x-hub-signature-256', 'github'],
  ['x-shopify-hmac-sha256', 'shopify'],
  ['x-slack-signature', 'slack'],
  ['webhook-signature', 'standard'],
  ['svix-signature', 'standard'],
  ['x-webhook-signature', 'hmac-sha256-hex'],
];

/** The scheme a request's signature header names, or null when it carries none. */
export function detectScheme(headers: Record<string, string>): SchemeName | null {
  for (const [name, scheme] of SIGNATURE_HEADERS) if (headers[name] !== undefined) return scheme;
  return null;
}

/** Checks the signature with the given scheme, else the one the headers name, else Standard Webhooks. */
export function verifyCaught(
  body: Buffer,
  headers: Record<string, string>,
  secrets: string[],
  provider: SchemeName | undefined,
): Verification {
  const detected = detectScheme(headers);
  const scheme = provider ?? detected ?? 'standard';
  const base = { scheme, detected: provider === undefined && detected !== null };
  try {
    verify(scheme, { body, headers, secrets });
    return { ...base, ok: true };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    let message = error.message;
    if (provider !== undefined && detected !== null && detected !== provider) {
      message += ` (the request carries a ${detected} signature: try --provider ${detected})`;
    }
    return { ...base, ok: false, code: error.code, message };
  }
}

/** The event type the request names, by the scheme that signed it or by any scheme that finds one. */
export function eventTypeOf(body: Buffer, headers: Record<string, string>, provider: SchemeName | undefined): string | null {
  let payload: unknown = null;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    // A form or a text body: only headers can name the type.
  }
  const first = provider ?? detectScheme(headers);
  const order = first === null ? Object.values(SCHEMES) : [SCHEMES[first], ...Object.values(SCHEMES)];
  for (const scheme of order) {
    const type = scheme.eventType(headers, payload);
    if (type !== null) return type;
  }
  return null;
}
