/** The records hookd keeps, as the API and the workers see them. Times are epoch milliseconds. */
import type { AttemptError } from './attempt-errors.js';
import type { EndpointFilter } from './endpoint-filter.js';
import type { EndpointLimits } from './limits.js';
import type { PortalBranding } from './portal-branding.js';

export type SignatureScheme = 'standard' | 'hmac-sha256-hex' | 'ed25519';
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['standard', 'hmac-sha256-hex', 'ed25519'];

export interface App {
  id: string;
  uid: string | null;
  name: string;
  /** Raise `ingest.silent` when no event arrives for the configured time. */
  alertWhenSilent: boolean;
  /** Most of its deliveries one worker process keeps in flight; null: the configured default (HOOKD_APP_CONCURRENCY). */
  maxInFlight: number | null;
  /** What its portal shows instead of hookd's name and colours; absent or null: hookd's own look. */
  portalBranding?: PortalBranding | null;
  createdAt: number;
  updatedAt: number;
}

/** An API token that reaches one app only. The token itself is shown once; the store keeps its SHA-256. */
export interface AppToken {
  id: string;
  appId: string;
  name: string;
  /** Whether the token may make portal links; a link it made stops working when the token is revoked. */
  canMintPortalLinks: boolean;
  createdAt: number;
}

/** A dashboard session kept in the store, so signing out or revoking ends it in every process. */
export interface UiSession {
  /** SHA-256 (hex) of the cookie value: the store never holds a usable cookie. */
  idHash: string;
  /** Null for an admin session; the app of a portal session. */
  appId: string | null;
  /** The app token whose portal link opened this session; revoking the token ends the session. */
  tokenId: string | null;
  /** The value forms carry as `_csrf`. */
  csrf: string;
  expiresAt: number;
  createdAt: number;
}

export interface Endpoint extends EndpointLimits {
  id: string;
  appId: string;
  url: string;
  description: string;
  /** Event-type filters; null means every type. */
  events: string[] | null;
  /**
   * A content filter (MongoDB query syntax) a message must match, beside its type, to be delivered here; one that does
   * not match gets a `skipped` delivery. Null: no content filter.
   */
  filter: EndpointFilter | null;
  signatureScheme: SignatureScheme;
  secret: string;
  /** The secret the last rotation replaced; it signs beside `secret` until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  /** Sent with every delivery, beside the headers hookd sets (which they may not override). */
  headers: Record<string, string>;
  /** Deliveries carry `traceparent`/`tracestate`, so the receiver's traces join hookd's (when tracing is on). */
  sendTraceContext: boolean;
  /** JavaScript defining `handler(webhook)`, run in a sandbox before each delivery is signed; null for none. */
  transformation: string | null;
  disabledAt: number | null;
  disabledReason: string | null;
  /**
   * Since when deliveries are held: they stay pending, unattempted, their retries untouched, until it is resumed.
   * Independent of `disabledAt`: an endpoint enabled again is still paused.
   */
  pausedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Message {
  id: string;
  appId: string;
  type: string;
  /** The exact bytes delivered: `{"type","timestamp","data"}`. */
  payload: string;
  idempotencyKey: string | null;
  createdAt: number;
  /**
   * A request a source ingested: the provider's headers, sent on with `payload` (its body, byte for byte)
   * instead of hookd's envelope. Absent or null for a published event.
   */
  headers?: Record<string, string> | null;
  /** The trace of the publish (or ingest) that made it, which its attempts join; absent or null when untraced. */
  trace?: TraceContext | null;
  /** A request a source ingested: its URL's query parameters, for content filters. Absent or null when it had none. */
  query?: Record<string, string> | null;
  /** A test event: sent to the one endpoint it was sent to (never fanned out), and marked so in every list. */
  test?: boolean;
}

/** W3C trace context, as the `traceparent` and `tracestate` headers carry it. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/** A registered event type: optional, global to the instance; its schema, if any, is enforced on publish. */
export interface EventType {
  name: string;
  description: string;
  /** A JSON Schema (draft-07) that published `data` must match; null accepts any data. */
  schema: Record<string, unknown> | null;
  /** Archived types stay readable, but publishing them is refused. */
  archivedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * `skipped` is terminal like `succeeded` and `failed`, but nothing was attempted: the message was held back from the
 * endpoint on purpose (its filter did not match, say), with the reason in `skipReason`. It is never claimed or
 * retried, and is no failure.
 */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'skipped';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed', 'skipped'];

export interface Delivery {
  id: string;
  appId: string;
  messageId: string;
  endpointId: string;
  status: DeliveryStatus;
  /** Attempts made so far, all runs included. */
  attemptCount: number;
  /** Failed attempts since the last (re)start of the schedule; picks the next delay. */
  attemptsInRun: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  /** Why a `skipped` delivery was held back (`filter: did not match`); null for every other status. */
  skipReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Attempt {
  id: string;
  deliveryId: string;
  /** 1 for the first attempt of the delivery, and so on across retries and replays. */
  number: number;
  startedAt: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  /** The first 4 KiB of the response body. */
  responseBody: string | null;
  /** The response's headers, bounded (see RESPONSE_HEADER_LIMITS), without cookies or credentials; null with no answer. */
  responseHeaders?: Record<string, string> | null;
  /**
   * The body sent, byte for byte, when it is not the message's payload (a transformation made it); null or absent:
   * the payload as stored was sent.
   */
  requestBody?: string | null;
  /** Why the attempt failed (a network error or a non-2xx answer), or null when it succeeded. */
  error: AttemptError | null;
}

/** A delivery handed to a worker, with what it needs to send it. */
export interface ClaimedDelivery {
  delivery: Delivery;
  leaseToken: string;
  message: Pick<Message, 'id' | 'type' | 'payload' | 'headers' | 'trace' | 'createdAt'>;
  endpoint: Pick<Endpoint, 'id' | 'url' | 'secret' | 'signatureScheme' | 'headers' | 'sendTraceContext' | 'transformation'> & {
    /** The rotated-out secret while its overlap lasts (at claim time), else null. */
    previousSecret: string | null;
    /** Whether the endpoint has delivery limits: finishing one of its deliveries may let the next start. */
    limited: boolean;
  };
  /** The most deliveries of its app one worker keeps in flight, as the claim saw it. */
  appCap: number;
}
