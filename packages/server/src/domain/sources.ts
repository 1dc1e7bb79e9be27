/** Sources (inbound webhooks): what one is, and the pure rules of ingest — which headers travel on, which type an event has. */
import { SCHEMES, type SchemeName } from '@hookd/sdk';
import { isEventTypeName } from './event-types.js';

/** A provider's signature scheme (any verifier of `@hookd/sdk`), or `none` for a source that checks no signature. */
export type SourceScheme = SchemeName | 'none';
export const SOURCE_SCHEMES: readonly SourceScheme[] = [...(Object.keys(SCHEMES) as SchemeName[]), 'none'];

/** At most this many secrets verify at once: the current one and the one being rotated out. */
export const MAX_SOURCE_SECRETS = 2;

export interface SourceRateLimit {
  /** Requests per second, sustained. */
  perSecond: number;
  /** Requests allowed at once, above the sustained rate. */
  burst: number;
}

export interface SourceRefusal {
  /** The error code the request was refused with (`signature_invalid`, `rate_limited`, …). */
  code: string;
  message: string;
  at: number;
}

export interface Source {
  id: string;
  /** Unique; the ingest URL is `/in/{id}` or `/in/{name}`. */
  name: string;
  /** The app that holds the source's destinations (its endpoints) and its ingested requests (its messages). */
  appId: string;
  scheme: SourceScheme;
  /** Any of them verifies; empty only for `none`. */
  secrets: string[];
  /** CIDRs a request must come from; empty: any address. */
  allowIps: string[];
  rateLimit: SourceRateLimit | null;
  /** A JSON Schema (draft-07) the parsed body must match; null: any body. */
  schema: Record<string, unknown> | null;
  /** Requests refused since the source was created, and the last refusal. */
  refusals: number;
  lastRefusal: SourceRefusal | null;
  createdAt: number;
  updatedAt: number;
}

// Hop-by-hop headers describe one connection, not the request; the others are recomputed for the next hop.
const NOT_FORWARDED = new Set([
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
]);

/** The provider's headers worth keeping and forwarding: every one but hop-by-hop, host and framing headers. */
export function forwardableHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || NOT_FORWARDED.has(lower) || lower.startsWith(':')) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/**
 * The event type destinations filter on, from what the provider says (`push`, `payment_intent.succeeded`,
 * Shopify's `orders/create` becomes `orders.create`); `unknown` when it says nothing usable.
 */
export function inboundEventType(provided: string | null): string {
  if (provided === null) return 'unknown';
  const dotted = provided.trim().replaceAll('/', '.');
  return isEventTypeName(dotted) ? dotted : 'unknown';
}
