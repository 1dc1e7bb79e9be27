/** What every signature scheme offers: verify a request, sign one (for tests), and read its id and type. */
import type { Body, HeaderSource } from '../bytes.js';

export type SchemeName = 'standard' | 'hmac-sha256-hex' | 'stripe' | 'github' | 'shopify' | 'slack';

export interface VerifyInput {
  /** The raw body bytes exactly as received; never a re-serialized object. */
  body: Body;
  headers: HeaderSource;
  /** One secret, or several while a secret is being rotated. */
  secrets: string | readonly string[];
  /** Seconds a signed timestamp may be off from now, where the scheme signs one; default 300. */
  toleranceSeconds?: number;
  /** Unix seconds, for tests; default the clock. */
  now?: number;
}

export interface Verified {
  scheme: SchemeName;
  /** The signed timestamp (Unix seconds), where the scheme has one. */
  timestamp?: number;
  /**
   * The delivery id the signature covers, where the scheme signs one (Standard Webhooks): de-duplicate on this,
   * never on a header the signature does not cover, or a replay with a new unsigned id passes as new.
   */
  id?: string;
}

export interface SignInput {
  body: Body;
  secrets: string | readonly string[];
  /** Unix seconds; default now. Schemes without a timestamp ignore it. */
  timestamp?: number;
  /** The delivery id, for schemes that carry one in a header; default a random one. */
  id?: string;
}

export interface Scheme {
  name: SchemeName;
  /** Throws WebhookVerificationError with a code when the request is not authentic. */
  verify(input: VerifyInput): Verified;
  /** The headers a sender of this scheme would add to a request with this body. */
  sign(input: SignInput): Record<string, string>;
  /**
   * The sender's id for this delivery, the key to de-duplicate on; null when the request carries none. Where the
   * scheme signs an id, this reads it from the headers `verify` checks; after `verify`, prefer `Verified.id`.
   */
  deliveryId(headers: HeaderSource, payload: unknown): string | null;
  /** The event type to route on (`payment_intent.succeeded`, `push`, `orders/create`); null when absent. */
  eventType(headers: HeaderSource, payload: unknown): string | null;
  /**
   * For a signed request that only checks the URL (Slack's `url_verification`): the JSON to answer it with. It is
   * not an event, so it is neither kept nor handled. Null (or absent) for every other request.
   */
  handshake?(payload: unknown): Record<string, string> | null;
}
