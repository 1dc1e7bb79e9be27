/** Row ↔ record mapping shared by both stores; each says how it keeps endpoint filters and headers, and attempt headers. */
import type {
  App,
  Attempt,
  AttemptErrorCode,
  ClaimedDelivery,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointFilter,
  Message,
  PortalBranding,
  SignatureScheme,
  TraceContext,
} from '../domain/index.js';
import type { MessagePage, MessagePageQuery, Page, SearchPlan } from './admin-store.js';

export interface AppRow {
  id: string;
  uid: string | null;
  name: string;
  /** SQLite keeps booleans as 0 and 1. */
  alert_when_silent: boolean | number;
  max_in_flight: number | null;
  /** JSON text of the portal branding; null for hookd's own look. */
  portal_branding?: string | null;
  created_at: number;
  updated_at: number;
}
export const toApp = (r: AppRow): App => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  alertWhenSilent: Boolean(r.alert_when_silent),
  maxInFlight: r.max_in_flight,
  ...(r.portal_branding ? { portalBranding: JSON.parse(r.portal_branding) as PortalBranding } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface EndpointRow<Events, Headers> {
  id: string;
  app_id: string;
  url: string;
  description: string;
  events: Events;
  signature_scheme: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  headers: Headers;
  /** Absent from a row written before migration 16 was read (never, once migrated). */
  transformation?: string | null;
  /** JSON text, as given. */
  filter: string | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  /** Absent from a row written before the pause migration was read (never, once migrated). */
  paused_at?: number | null;
  rate_limit: number | null;
  max_in_flight: number | null;
  /** SQLite keeps booleans as 0 and 1. */
  fifo: boolean | number;
  send_trace_context: boolean | number;
  created_at: number;
  updated_at: number;
}
export const toEndpoint = <E, H>(
  r: EndpointRow<E, H>,
  events: (kept: E) => string[] | null,
  headers: (kept: H) => Record<string, string>,
): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  url: r.url,
  description: r.description,
  events: events(r.events),
  signatureScheme: r.signature_scheme as SignatureScheme,
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  headers: headers(r.headers),
  transformation: r.transformation ?? null,
  filter: r.filter === null ? null : (JSON.parse(r.filter) as EndpointFilter),
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  pausedAt: r.paused_at ?? null,
  rateLimit: r.rate_limit,
  maxInFlight: r.max_in_flight,
  fifo: Boolean(r.fifo),
  sendTraceContext: Boolean(r.send_trace_context),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface MessageRow {
  id: string;
  app_id: string;
  type: string;
  payload: string;
  idempotency_key: string | null;
  created_at: number;
  /** JSON text of the provider's headers, for a request a source ingested; null for a published event. */
  forward_headers?: string | null;
  trace_parent?: string | null;
  trace_state?: string | null;
  /** JSON text of an ingested request's query parameters; null when it had none. */
  query?: string | null;
  /** 1 or true for a test event (SQLite has no boolean). */
  test?: number | boolean | null;
}
export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  type: r.type,
  payload: r.payload,
  idempotencyKey: r.idempotency_key,
  createdAt: r.created_at,
  ...(r.forward_headers ? { headers: JSON.parse(r.forward_headers) as Record<string, string> } : {}),
  ...(r.trace_parent ? { trace: traceContextOf(r.trace_parent, r.trace_state ?? null) } : {}),
  ...(r.query ? { query: JSON.parse(r.query) as Record<string, string> } : {}),
  ...(r.test ? { test: true } : {}),
});

/** An ingested request's query parameters as the column keeps them: JSON text, or null for none. */
export const queryColumn = (message: Pick<Message, 'query'>): string | null =>
  message.query && Object.keys(message.query).length > 0 ? JSON.stringify(message.query) : null;

/** The trace context kept in a message's two columns. */
export const traceContextOf = (parent: string, state: string | null): TraceContext =>
  state ? { traceparent: parent, tracestate: state } : { traceparent: parent };

export interface DeliveryRow {
  id: string;
  app_id: string;
  message_id: string;
  endpoint_id: string;
  status: string;
  attempt_count: number;
  attempts_in_run: number;
  next_attempt_at: number | null;
  lease_token: string | null;
  last_error: string | null;
  skip_reason: string | null;
  created_at: number;
  updated_at: number;
}
export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  appId: r.app_id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  status: r.status as DeliveryStatus,
  attemptCount: r.attempt_count,
  attemptsInRun: r.attempts_in_run,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  skipReason: r.skip_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface AttemptRow<Headers> {
  id: string;
  delivery_id: string;
  number: number;
  started_at: number;
  duration_ms: number;
  request_headers: Headers;
  response_status: number | null;
  response_body: string | null;
  /** Absent from a row read before the migration that added them (never, once migrated). */
  response_headers?: Headers | null;
  request_body?: string | null;
  error_code: string | null;
  error_message: string | null;
}
export const toAttempt = <H>(r: AttemptRow<H>, headers: (kept: H) => Record<string, string>): Attempt => ({
  id: r.id,
  deliveryId: r.delivery_id,
  number: r.number,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  requestHeaders: headers(r.request_headers),
  responseStatus: r.response_status,
  responseBody: r.response_body,
  responseHeaders: r.response_headers == null ? null : headers(r.response_headers),
  requestBody: r.request_body ?? null,
  // Codes are written from one list, and the migration that added them mapped every older row onto it.
  error: r.error_code === null ? null : { code: r.error_code as AttemptErrorCode, message: r.error_message ?? '' },
});

/** A claimed delivery as both stores read it: the delivery's columns, with its message's and endpoint's. */
export interface ClaimRow<Headers> extends DeliveryRow {
  m_type: string;
  m_payload: string;
  /** The provider's headers (JSON text) when the message is a request a source ingested. */
  m_headers?: string | null;
  m_trace_parent: string | null;
  m_trace_state: string | null;
  e_url: string;
  e_secret: string;
  /** Null once the rotation's overlap is over. */
  e_previous_secret: string | null;
  e_scheme: string;
  e_headers: Headers;
  e_transformation: string | null;
  m_created_at: number;
  e_limited: boolean | number;
  e_send_trace_context: boolean | number;
  /** The app's in-flight cap per worker: its own, or the claim's default. */
  a_cap: number;
}
export const toClaimedDelivery = <H>(
  r: ClaimRow<H>,
  leaseToken: string,
  headers: (kept: H) => Record<string, string>,
): ClaimedDelivery => ({
  delivery: toDelivery(r),
  leaseToken,
  message: {
    id: r.message_id,
    type: r.m_type,
    payload: r.m_payload,
    createdAt: Number(r.m_created_at),
    ...(r.m_headers ? { headers: JSON.parse(r.m_headers) as Record<string, string> } : {}),
    ...(r.m_trace_parent ? { trace: traceContextOf(r.m_trace_parent, r.m_trace_state) } : {}),
  },
  endpoint: {
    id: r.endpoint_id,
    url: r.e_url,
    secret: r.e_secret,
    previousSecret: r.e_previous_secret,
    signatureScheme: r.e_scheme as SignatureScheme,
    headers: headers(r.e_headers),
    sendTraceContext: Boolean(r.e_send_trace_context),
    transformation: r.e_transformation,
    limited: Boolean(r.e_limited),
  },
  appCap: r.a_cap,
});

/** Turns `limit + 1` rows, newest first, into a page and its cursor. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { data: kept.map(map), nextCursor: more ? (kept[kept.length - 1]?.id ?? null) : null };
}

/**
 * A page of messages from `limit + 1` rows fetched newest first (a first page, or `after`) or oldest first (`before`):
 * newest first either way, with a cursor each way when there is more that way.
 */
export function toMessagePage(rows: MessageRow[], query: MessagePageQuery, search: SearchPlan | null): MessagePage {
  const more = rows.length > query.limit;
  const kept = more ? rows.slice(0, query.limit) : rows;
  const backwards = query.before !== undefined;
  if (backwards) kept.reverse();
  const first = kept[0]?.id ?? null;
  const last = kept[kept.length - 1]?.id ?? null;
  return {
    data: kept.map(toMessage),
    // Going back, the page left holds older messages; going forward, the page left holds newer ones.
    nextCursor: backwards || more ? last : null,
    prevCursor: !backwards && query.after === undefined ? null : backwards && !more ? null : first,
    search,
  };
}
