/**
 * Which of a provider's headers an ingested request keeps and sends on: a documented allowlist (content type, user
 * agent, the providers' event, id and signature headers) plus the names a source adds. Never the caller's
 * credentials or what it claims about the client's address; never a Standard Webhooks family at the destination,
 * since hookd signs what it forwards with its own (`webhook-*` and `svix-*`).
 */
import type { SourceScheme } from './sources.js';

/** Kept from every source, whatever its scheme. */
const FORWARDED_HEADERS: readonly string[] = [
  'content-type',
  'user-agent',
  // Stripe
  'stripe-signature',
  // GitHub
  'x-github-event',
  'x-github-delivery',
  'x-github-hook-id',
  'x-github-hook-installation-target-id',
  'x-github-hook-installation-target-type',
  'x-hub-signature',
  'x-hub-signature-256',
  // the plain HMAC scheme of the webhook guides
  'x-webhook-signature',
  'x-webhook-event',
  'x-webhook-delivery',
  // what a source without a scheme reads its delivery id and event type from
  'idempotency-key',
  'x-event-type',
];
/** Shopify and Slack name all their headers under one prefix (`X-Shopify-Topic`, `X-Slack-Signature`, …). */
const FORWARDED_PREFIXES: readonly string[] = ['x-shopify-', 'x-slack-'];

/** Standard Webhooks under both names: kept for a `standard` source (`hookd forward` replays them), replaced on delivery. */
const SIGNATURE_FAMILIES: readonly string[] = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
];

/**
 * Never kept, even when a source names them: hop-by-hop and framing headers describe one connection; credentials
 * are the caller's, not the provider's; address headers are whatever the caller wrote (hookd's own view of the
 * client is `request.ip`, trusted-proxy aware).
 */
const NEVER_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
  'content-length',
  'expect',
  'authorization',
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
]);

const ALLOWED = new Set(FORWARDED_HEADERS);
const FAMILIES = new Set(SIGNATURE_FAMILIES);
/** An HTTP header name (RFC 9110 token), at most 64 characters. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

export interface ForwardSettings {
  scheme: SourceScheme;
  /** Names the source adds to the allowlist, lower case. */
  extra: readonly string[];
}

/** The provider's headers an ingested request keeps (lower-case names; repeated values joined with `, `). */
export function forwardableHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  settings: ForwardSettings,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || !isKept(lower, settings)) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

function isKept(name: string, settings: ForwardSettings): boolean {
  if (NEVER_FORWARDED.has(name)) return false;
  if (FAMILIES.has(name)) return settings.scheme === 'standard';
  return ALLOWED.has(name) || FORWARDED_PREFIXES.some((p) => name.startsWith(p)) || settings.extra.includes(name);
}

/**
 * The kept headers that go to a destination: without the Standard Webhooks families, which hookd's signature
 * replaces, and without anything never forwarded (a message kept before the allowlist may still hold it).
 */
export function headersToForward(kept: Readonly<Record<string, string>>): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(kept)) {
    if (!NEVER_FORWARDED.has(name) && !FAMILIES.has(name)) sent[name] = value;
  }
  return sent;
}

/** Why a source may not add this name to its allowlist; null when it may. */
export function forwardHeaderProblem(name: string): string | null {
  if (!HEADER_NAME.test(name)) return `${JSON.stringify(name)} is not a header name`;
  const lower = name.toLowerCase();
  if (NEVER_FORWARDED.has(lower)) return `${name} is never forwarded (a credential, an address claim or a framing header)`;
  if (FAMILIES.has(lower)) return `${name} is replaced by hookd's own signature`;
  return null;
}
