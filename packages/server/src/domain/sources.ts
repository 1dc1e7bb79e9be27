/** Sources (inbound webhooks): what one is, and which type an ingested event has. */
import { SCHEMES, type SchemeName } from '@hookd/sdk/verify';
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
  /** Header names (lower case) forwarded beside the allowlist every source has. */
  forwardHeaders: string[];
  /** Requests refused since the source was created, and the last refusal. */
  refusals: number;
  lastRefusal: SourceRefusal | null;
  createdAt: number;
  updatedAt: number;
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
