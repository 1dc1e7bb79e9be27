/**
 * What the hookd API takes and returns, field for field as its route schemas say
 * (packages/server/src/api/schemas.ts and routes/): what a schema requires is required here, the rest optional.
 * Times are ISO 8601 strings, as on the wire.
 */
import type { SchemeName } from '../schemes/index.js';
import type { AttemptError } from './attempt-errors.js';

export type SignatureScheme = 'standard' | 'hmac-sha256-hex' | 'ed25519';
/** `skipped`: held back on purpose (the endpoint's filter did not match, say) and never attempted; see `skipReason`. */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'skipped';

/** One page of a list, newest first; pass `nextCursor` as `after` for the next page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageOptions {
  /** 1 to 250; the server's default is 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  after?: string;
}

export interface App {
  id: string;
  uid: string | null;
  name: string;
  /** Whether the app raises the ops event `ingest.silent` when no event arrives for a while. */
  alertWhenSilent: boolean;
  /** Most of its deliveries one worker process keeps in flight; null: the server's HOOKD_APP_CONCURRENCY. */
  maxInFlight: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateAppInput {
  /** Your own key for the app, usable in place of its id; may not start with `app_`. */
  uid?: string;
  name: string;
  /** Raise the ops event `ingest.silent` when the app gets no event for the server's HOOKD_SILENT_AFTER; default false. */
  alertWhenSilent?: boolean;
  /** The app's share of each worker process (admin token only); null or unset: HOOKD_APP_CONCURRENCY. */
  maxInFlight?: number | null;
}

export interface UpdateAppInput {
  uid?: string;
  name?: string;
  alertWhenSilent?: boolean;
  /** Admin token only; null goes back to HOOKD_APP_CONCURRENCY. */
  maxInFlight?: number | null;
}

export interface Endpoint {
  id: string;
  appId: string;
  url: string;
  description: string;
  /** Event-type filters; null receives every type. */
  events: string[] | null;
  /** A content filter (MongoDB query syntax) a message must match to be delivered here; null: none. */
  filter: Record<string, unknown> | null;
  signatureScheme: SignatureScheme;
  /** The signing secret, `whsec_…`; null for ed25519, whose secret key never leaves hookd. */
  secret: string | null;
  /** ed25519 only: the `whpk_…` public key receivers verify `v1a` signatures with; null otherwise. */
  publicKey: string | null;
  /** How hookd authenticates to the endpoint, without its secret; null when it does not. */
  auth:
    | { type: 'basic'; username: string }
    | { type: 'oauth2'; tokenUrl: string; clientId: string; scope: string | null; audience: string | null }
    | null;
  /** The client certificate hookd presents (mTLS), without its key. */
  clientCertificate: { subject: string; validTo: string; fingerprint256: string; customCa: boolean } | null;
  /** The names of the secret headers sent; their values are never shown. */
  secretHeaders: string[];
  /** Custom headers sent with every delivery; `{}` when none. */
  headers: Record<string, string>;
  /** JavaScript defining `handler(webhook)`, run in a sandbox before each delivery is signed; null: none. */
  transformation: string | null;
  /** Deliveries started per second, at most; null: no limit. */
  rateLimit: number | null;
  /** Deliveries in flight at once, at most; null: no limit of its own. */
  maxInFlight: number | null;
  /** One delivery at a time, in publish order. */
  fifo: boolean;
  /** Deliveries carry W3C `traceparent`/`tracestate` (when the server exports traces). */
  sendTraceContext: boolean;
  disabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Its deliveries are held (pending, not attempted) until it is resumed; independent of `disabled`. */
  paused: boolean;
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How hookd authenticates to an endpoint: HTTP Basic, or an OAuth 2.0 client-credentials token. */
export type EndpointAuthInput =
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string };

/** Write-only credentials an endpoint may be given on create or update; null removes one. */
export interface EndpointCredentialsInput {
  auth?: EndpointAuthInput | null;
  /** mTLS: PEM certificate and unencrypted key, and optionally a PEM CA to trust for this endpoint. */
  clientCertificate?: { certificate: string; privateKey: string; ca?: string } | null;
  /** Headers whose values are never shown again (API keys); replaced whole. */
  secretHeaders?: Record<string, string>;
}

export interface CreateEndpointInput extends EndpointCredentialsInput {
  url: string;
  description?: string;
  /** Exact names, `prefix.*` or `*`; absent, null or empty receives every type. */
  events?: string[] | null;
  /** Deliver only messages matching this MongoDB-style query (`{"data.amount": {"$gt": 100}}`); others are skipped. */
  filter?: Record<string, unknown> | null;
  signatureScheme?: SignatureScheme;
  /** Sent with every delivery: at most 20, not one of the headers hookd sets (content-type, webhook-*, …). */
  headers?: Record<string, string>;
  /** JavaScript defining `handler(webhook)` that reshapes (or cancels) each delivery before it is signed. */
  transformation?: string | null;
  /** Endpoint delivery limits, enforced across all workers. */
  rateLimit?: number | null;
  maxInFlight?: number | null;
  /** One delivery at a time, in publish order; a failing one holds back the rest. */
  fifo?: boolean;
  /** Deliveries carry W3C `traceparent`/`tracestate`, so the receiver's traces join the server's; default false. */
  sendTraceContext?: boolean;
  /** Bring your own `whsec_…` secret; one is generated otherwise. */
  secret?: string;
  /** Create it paused: its deliveries are held until it is resumed. */
  paused?: boolean;
}

export interface PortalLinkInput {
  /** How long the link, and the session it opens, last: `30m`, `1h`, … from 1m to 24h; 1h by default. */
  expiresIn?: string;
}

export interface PortalLink {
  /** Opens the dashboard scoped to this one app; hand it to the app's own customer. */
  url: string;
  expiresAt: string;
}

export interface RotateSecretInput {
  /** Bring your own `whsec_…` secret; one is generated otherwise. */
  secret?: string;
  /** Create it paused: its deliveries are held until it is resumed. */
  paused?: boolean;
}

export interface UpdateEndpointInput extends EndpointCredentialsInput {
  url?: string;
  description?: string;
  events?: string[] | null;
  /** null removes the filter. */
  filter?: Record<string, unknown> | null;
  signatureScheme?: SignatureScheme;
  /** Replaces the custom headers whole; `{}` removes them. */
  headers?: Record<string, string>;
  /** Replaces the transformation; null removes it. */
  transformation?: string | null;
  /** null removes the limit. */
  rateLimit?: number | null;
  maxInFlight?: number | null;
  fifo?: boolean;
  sendTraceContext?: boolean;
  /** true disables the endpoint; false enables it again. */
  disabled?: boolean;
}

export interface ReplayInput {
  /** ISO 8601 time: deliveries created since then are sent again. */
  since: string;
  /** Which deliveries to send again; the server's default is `failed`. */
  status?: 'failed' | 'succeeded';
}

export interface ReplayResult {
  replayed: number;
}

/** Which deliveries a recovery job re-queues; every field given must hold. */
export interface RecoveryInput {
  /** Default `failed`. */
  status?: 'failed' | 'succeeded';
  endpointId?: string;
  /** Messages of these exact types. */
  eventTypes?: string[];
  /** ISO 8601: deliveries created at or after this time. */
  since?: string;
  /** ISO 8601: deliveries created before this time. */
  until?: string;
  /** Deliveries whose last attempt failed with this code. */
  errorCode?: string;
}

/** What a recovery's filter matches now, per endpoint (a dry run). */
export interface RecoveryCount {
  dryRun: true;
  total: number;
  byEndpoint: { endpointId: string; count: number }[];
}

export interface Recovery {
  id: string;
  appId: string;
  status: 'running' | 'completed' | 'cancelled';
  filter: RecoveryInput & { status: 'failed' | 'succeeded' };
  /** Deliveries the filter matched when the job started. */
  total: number;
  /** Re-queued so far; each delivery at most once per job. */
  requeued: number;
  scanned: number;
  /** requeued / total, 0 to 1. */
  progress: number;
  /** Where the re-queued deliveries stand now; null before any was re-queued. */
  outcome: { delivered: number; failedAgain: number; waiting: number } | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface EnableEndpointInput {
  /** ISO 8601 time: the endpoint's failed deliveries created since then are sent again. */
  replayFailedSince?: string;
  /** Send again every delivery that failed while it was disabled (those disabling it failed). */
  replayFailedWhileDisabled?: boolean;
  /** Change nothing: answer only `failedWhileDisabled`, so the replay can be offered first. */
  dryRun?: boolean;
}

export interface EnableEndpointResult {
  endpoint: Endpoint;
  /** Failed deliveries made due again; 0 without a replay asked, or on a dry run. */
  replayed: number;
  /** Deliveries that failed while it was disabled, counted before any replay; 0 when it was not disabled. */
  failedWhileDisabled: number;
}

/** An endpoint's attempts over one window. */
export interface EndpointHealthWindow {
  attempts: number;
  /** Attempts answered with a 2xx. */
  successes: number;
  /** successes / attempts; null without attempts. */
  successRate: number | null;
  /** Nearest-rank latency percentiles, in ms, of the attempts that got an answer; null when none did. */
  latencyMs: { p50: number | null; p95: number | null };
}

export interface EndpointStats {
  deliveries: Record<DeliveryStatus, number>;
  /** ISO 8601 time the current run of failed attempts began, with no success since; null when not failing. */
  failingSince: string | null;
  windows: { '1h': EndpointHealthWindow; '24h': EndpointHealthWindow };
}

/** Exactly one of `payload`, `event` and `messageId`; `filter` tries another filter than the saved one. */
export interface FilterTestInput {
  filter?: Record<string, unknown> | null;
  /** The document the filter sees, as is. */
  payload?: Record<string, unknown>;
  /** An event as published: the filter sees `{type, timestamp, data}`. */
  event?: { type: string; data?: unknown };
  /** A past message of the app: the filter sees what its fan-out saw. */
  messageId?: string;
}

export interface FilterTestResult {
  matches: boolean;
  /** The filter tried; null when there is none (everything matches). */
  filter: Record<string, unknown> | null;
  /** When it does not match: the first top-level clause that fails on its own. */
  failing: { path: string; clause: Record<string, unknown> } | null;
  /** What a skipped delivery would record (`filter: did not match`); null when it matches. */
  reason: string | null;
}

export interface Message {
  /** Sent as `webhook-id`; the same across retries and replays. */
  id: string;
  appId: string;
  type: string;
  timestamp: string;
  /** The event data as published; null once retention has purged it. */
  data: unknown;
  idempotencyKey: string | null;
  /** True once retention has dropped the data; the message and its deliveries stay. */
  purged: boolean;
}

export interface PublishInput {
  type: string;
  data: unknown;
}

/** A JSON Schema object (draft-07). */
export type JsonSchema = Record<string, unknown>;

/** A registered event type; registration is optional, and a schema, if any, is enforced on publish. */
export interface EventType {
  name: string;
  description: string;
  /** What published `data` must match; null accepts any data. */
  schema: JsonSchema | null;
  /** Publishing an archived type is refused with `event_type_archived`. */
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateEventTypeInput {
  /** An exact name such as `payment.completed`; no wildcards. */
  name: string;
  description?: string;
  /** Compiled by the server; an invalid schema is refused with `validation_failed`. */
  schema?: JsonSchema;
}

export interface UpdateEventTypeInput {
  description?: string;
  /** null removes the schema. */
  schema?: JsonSchema | null;
  /** true refuses publishing the type; false allows it again. */
  archived?: boolean;
}

/** Event types list by name; `after` is the `nextCursor` of the previous page. */
export interface ListEventTypesOptions extends PageOptions {
  /** Archived types are left out unless this is true. */
  includeArchived?: boolean;
}

export interface PublishOptions {
  /** The same key within the server's window answers with the first message and publishes nothing. */
  idempotencyKey?: string;
}

export interface PublishResult {
  /** The message id, sent as `webhook-id`. */
  id: string;
  type: string;
  timestamp: string;
  /** Deliveries to attempt; 0 when the idempotency key was seen before. */
  deliveries: number;
  /** Endpoints of its type that it skipped (their filter did not match): each has a `skipped` delivery. */
  skipped: number;
  duplicate: boolean;
}

export interface ListEventsOptions extends PageOptions {
  /** The `prevCursor` of the page after it: newer messages (not with `after`). */
  before?: string;
  id?: string;
  idempotencyKey?: string;
  type?: string;
  /** Only messages with a delivery to this endpoint id. */
  endpoint?: string;
  /** Only messages with a delivery in this status (to `endpoint`, when given too). */
  status?: DeliveryStatus;
  /** ISO 8601 time. */
  since?: string;
  /** ISO 8601 time. */
  until?: string;
  /** Content criteria, `path:value` each (`data.order_id:1234`), all of which must hold; up to 4. */
  where?: string | string[];
}

/** A page of messages, both ways: `prevCursor` as `before` gives the newer page. */
export interface MessagePage extends Page<Message> {
  prevCursor: string | null;
  /** How content criteria were searched: on an index, or over the app's newest `scanLimit` messages only. */
  search: { indexed: boolean; scanLimit: number | null } | null;
}

export interface Delivery {
  id: string;
  appId: string;
  messageId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  /** Why a `skipped` delivery was held back (`filter: did not match`); null for any other status. */
  skipReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ListDeliveriesOptions extends PageOptions {
  status?: DeliveryStatus;
  /** An endpoint id. */
  endpoint?: string;
}

export interface Attempt {
  id: string;
  number: number;
  startedAt: string;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  /** The first 4 KiB of the response body. */
  responseBody: string | null;
  /** At most 50 headers and 4 KiB, never cookies or credentials; null when nothing answered. */
  responseHeaders: Record<string, string> | null;
  /** The exact body sent when a transformation made it; null when the message's payload was sent as stored. */
  requestBody: string | null;
  /** Why the attempt failed (a network error, a timeout named by phase, a non-2xx answer); null when it succeeded. */
  error: AttemptError | null;
}

/** One entry of an endpoint's attempts log: the attempt with its delivery's and message's facts. */
export interface AttemptLogEntry extends Attempt {
  deliveryId: string;
  messageId: string;
  eventType: string;
  /** `failed`: the delivery gave up after it; `retrying`: another attempt follows or is due. */
  outcome: 'succeeded' | 'retrying' | 'failed';
  /** The delivery's status now (not when the attempt was made). */
  deliveryStatus: DeliveryStatus;
}

export interface ListEndpointAttemptsOptions extends PageOptions {
  /** `succeeded`: answered with a 2xx; `failed`: anything else. */
  status?: 'succeeded' | 'failed';
  /** Only attempts that failed with this code. */
  code?: AttemptError['code'];
  /** ISO 8601 time: attempts started at or after it. */
  since?: string;
  /** ISO 8601 time: attempts started before it. */
  until?: string;
}

export interface DeliveryWithAttempts extends Delivery {
  attempts: Attempt[];
}

/** An API token that reaches one app only, as listed: the token itself is never shown again. */
export interface AppToken {
  id: string;
  appId: string;
  name: string;
  /** Whether the token may make portal links; they stop working when the token is revoked. */
  canMintPortalLinks: boolean;
  createdAt: string;
}

/** A token just created: `token` (`hkd_app_…`) is shown this once. */
export interface CreatedAppToken extends AppToken {
  token: string;
}

export interface CreateAppTokenInput {
  /** A label for the token, e.g. who holds it. */
  name?: string;
  /** Lets the token make portal links for its app (default false: only the admin token may). */
  canMintPortalLinks?: boolean;
}

/** A provider's signature scheme, or `none` for a source that takes unsigned requests. */
export type SourceScheme = SchemeName | 'none';

/** Verified requests per second a source lets through; `burst` defaults to `perSecond`. */
export interface SourceRateLimit {
  perSecond: number;
  burst?: number;
}

/** Where a source forwards: one of its app's endpoints. */
export interface SourceDestination {
  /** The endpoint id, in the source's app. */
  id: string;
  url: string;
  events: string[] | null;
  /** hookd signs what it forwards with this (Standard Webhooks). */
  secret: string;
  disabled: boolean;
}

/** An ingest URL for a provider's webhooks (inbound), verified, then forwarded to its destinations. */
export interface Source {
  id: string;
  /** Unique; the ingest URL is `/in/{name}`. */
  name: string;
  /** The app holding the destinations (its endpoints) and the ingested events. */
  appId: string;
  scheme: SourceScheme;
  secrets: string[];
  allowIps: string[];
  rateLimit: SourceRateLimit | null;
  schema: JsonSchema | null;
  forwardHeaders: string[];
  /** Where the provider POSTs; no token needed. */
  ingestUrl: string;
  refusals: { count: number; lastCode: string | null; lastMessage: string | null; lastAt: string | null };
  destinations: SourceDestination[];
  createdAt: string;
  updatedAt: string;
}

export interface CreateSourceInput {
  /** Letters, digits, `_` and `-`, up to 64. */
  name: string;
  scheme: SourceScheme;
  /** The provider's signing secret(s): any one verifies. Empty for `none`. */
  secrets?: string[];
  /** Addresses or CIDR ranges requests must come from; empty: any. */
  allowIps?: string[];
  rateLimit?: SourceRateLimit | null;
  /** A JSON Schema the body must match. */
  schema?: JsonSchema | null;
  /** Header names forwarded beside the allowlist every source has. */
  forwardHeaders?: string[];
  /** 1 to 20 URLs; `events` filters by the provider's event type (absent or empty: all). */
  destinations: { url: string; events?: string[] | null }[];
}

/** What may change on a source; a rotation lists the new secret and the old. */
export type UpdateSourceInput = Partial<
  Pick<CreateSourceInput, 'secrets' | 'allowIps' | 'rateLimit' | 'schema' | 'forwardHeaders'>
>;

export interface Health {
  status: 'ok';
}

/** `/readyz` answers 503 with this same shape when a check fails; the client returns it rather than throwing. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: Record<string, string>;
}
