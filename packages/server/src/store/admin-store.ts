/**
 * What the API and its actions read and write: apps and their tokens, endpoints, event types, sources, messages and
 * their deliveries, and the settings hookd keeps for itself.
 */
import type {
  App,
  AppToken,
  Attempt,
  AuditEntry,
  ContentCriterion,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointCredentials,
  EndpointHealth,
  EventType,
  Message,
  SignatureScheme,
  Source,
  SourceRefusal,
} from '../domain/index.js';
import type { AttemptActivity, AttemptFeedQuery, EndpointAttemptsQuery } from './attempt-feed.js';

export interface PageQuery {
  limit: number;
  /** The last id of the previous page; pages run newest first. */
  after?: string;
}

export interface Page<T> {
  data: T[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** `maxInFlight: null` goes back to the configured default. */
export type AppPatch = Partial<Pick<App, 'uid' | 'name' | 'alertWhenSilent' | 'maxInFlight' | 'portalBranding'>>;

/** An app to create: `alertWhenSilent` is false and `maxInFlight` null unless given. */
export type NewApp = Omit<App, 'alertWhenSilent' | 'maxInFlight'> & Partial<Pick<App, 'alertWhenSilent' | 'maxInFlight'>>;

export type EndpointPatch = Partial<
  Pick<
    Endpoint,
    | 'url'
    | 'description'
    | 'events'
    | 'filter'
    | 'signatureScheme'
    | 'headers'
    | 'transformation'
    | 'rateLimit'
    | 'maxInFlight'
    | 'fifo'
    | 'sendTraceContext'
  >
> & {
  /** false re-enables a disabled endpoint and forgets its failure run. */
  disabled?: false;
  /**
   * true holds the endpoint's deliveries (kept since the first pause); false lets them flow again, and its failure
   * run, if any, leaves out the time paused (a long pause alone never disables it).
   */
  paused?: boolean;
};

/**
 * A new secret for an endpoint; the one it replaces keeps signing beside it until `previousExpiresAt`. With
 * `signatureScheme`, the endpoint signs with that scheme from the same write (a new kind of secret comes with it).
 */
export interface SecretRotation {
  secret: string;
  previousExpiresAt: number;
  signatureScheme?: SignatureScheme;
}

/**
 * Everything one change of an endpoint writes (the API's PATCH), in one transaction, in this order; each part with its
 * own audit entry, written only when the part changed something.
 */
export interface EndpointChange {
  /** Replaces the credentials whole; none at all removes them. */
  credentials?: { value: EndpointCredentials; audit: AuditEntry };
  /** A new secret, as rotateEndpointSecret writes it. */
  rotation?: SecretRotation & { audit: AuditEntry };
  /** Disabled, as disableEndpoint does. */
  disable?: { reason: string; audit: AuditEntry };
  patch: EndpointPatch;
  audit?: AuditEntry;
}

/** Refusals of one source counted in memory since the last write. */
export interface SourceRefusalCount {
  sourceId: string;
  count: number;
  last: SourceRefusal;
  /** The refusals themselves, oldest first, at most RECENT_REFUSALS_KEPT; absent: `last` alone. */
  recent?: SourceRefusal[];
}

/** How many of its latest refusals each source keeps, with their reasons, for its screen. */
export const RECENT_REFUSALS_KEPT = 100;

/** What may change on a source; null removes the rate limit or the schema. */
export type SourcePatch = Partial<Pick<Source, 'secrets' | 'allowIps' | 'rateLimit' | 'schema' | 'forwardHeaders'>>;

/** A source with the app that holds its destinations, and those destinations (the app's endpoints), made together. */
export interface NewSource {
  app: NewApp;
  destinations: Endpoint[];
  source: Source;
  audit?: AuditEntry;
}

/** Event types page by name, in byte order; `after` is the last name of the previous page. */
export interface EventTypeQuery extends PageQuery {
  /** Archived types are left out unless this is true. */
  includeArchived?: boolean;
}

export interface EventTypePatch {
  description?: string;
  /** null removes the schema: any data is accepted again. */
  schema?: Record<string, unknown> | null;
  /** true archives the type (keeping the first archive time), false restores it. */
  archived?: boolean;
}

/** An endpoint a message fans out to, as a publish's `skip` sees it. */
export interface FanOutEndpoint {
  id: string;
  /** The endpoint's content filter as stored (JSON text), or null when it has none. */
  filter: string | null;
}

export interface PublishInput {
  message: Message;
  /** How long an Idempotency-Key keeps answering with its first message. */
  idempotencyWindowMs: number;
  /**
   * Why the message is held back from this endpoint, or null to deliver it: a non-null reason makes a `skipped`
   * delivery that records it instead of a pending one. Unset: every endpoint whose event types match gets it.
   */
  skip?: (endpoint: FanOutEndpoint) => string | null;
  /** A test event's one endpoint: only it gets a delivery (if enabled), whatever its event types and filter. */
  only?: string;
}

export interface PublishResult {
  message: Message;
  /** True when the Idempotency-Key was seen before: nothing new was published. */
  duplicate: boolean;
  /** Deliveries to attempt: one per enabled endpoint whose event types match and that `skip` did not hold back. */
  deliveries: number;
  /** Skipped deliveries made: endpoints whose event types match that `skip` held back. */
  skipped: number;
}

export interface MessageFilter {
  id?: string;
  idempotencyKey?: string;
  type?: string;
  since?: number;
  until?: number;
  /** Only messages with at least one delivery in this status (to `endpointId`, when given too). */
  status?: DeliveryStatus;
  /** Only messages with a delivery to this endpoint. */
  endpointId?: string;
  /** Payload criteria that must all hold (see domain/message-search.ts). */
  content?: ContentCriterion[];
}

/** Messages are paged both ways: `after` the last id of a page goes to older ones, `before` its first id to newer. */
export interface MessagePageQuery extends PageQuery {
  before?: string;
}

/** How a content search ran: on an index, or over the newest `scanLimit` messages of the app only. */
export interface SearchPlan {
  indexed: boolean;
  /** Null when indexed; else how many of the app's newest messages were searched. */
  scanLimit: number | null;
}

export interface MessagePage extends Page<Message> {
  /** Pass as `before` for the newer page; null on the newest page. */
  prevCursor: string | null;
  /** Null unless the filter had content criteria. */
  search: SearchPlan | null;
}

/** The newest messages a content search without an index looks through (SQLite without a declared field). */
export const UNINDEXED_SCAN_LIMIT = 50_000;

export interface DeliveryFilter {
  messageId?: string;
  endpointId?: string;
  status?: DeliveryStatus;
}

export interface ReplayInput {
  endpointId: string;
  since: number;
  status: Exclude<DeliveryStatus, 'pending'>;
  /** Only those that took their status at or after this time (what disabling the endpoint failed, say). */
  settledSince?: number;
  now: number;
  audit?: AuditEntry;
}

/** The audit log pages newest first; every filter given must hold. */
export interface AuditQuery extends PageQuery {
  appId?: string;
  actor?: string;
  action?: string;
  target?: string;
  /** Entries at or after this time. */
  since?: number;
  /** Entries before this time. */
  until?: number;
}

/**
 * What `actions/` and the API's routes use; the gateway in `inbound/` uses its sources and `publishMessage`.
 *
 * A mutation given an `audit` entry writes it in the same transaction as the change, so neither exists without the
 * other; it is written only when the call changed something (not for a null or false answer).
 */
export interface AdminStore {
  /** Adds an entry that records no change of its own (a failed sign-in). Entries are never changed or deleted here. */
  appendAudit(entry: AuditEntry): Promise<void>;
  listAuditLog(query: AuditQuery): Promise<Page<AuditEntry>>;

  createApp(app: NewApp, audit?: AuditEntry): Promise<App>;
  /** By id, or by the app's own `uid`. */
  findApp(idOrUid: string): Promise<App | null>;
  listApps(page: PageQuery): Promise<Page<App>>;
  updateApp(id: string, patch: AppPatch, now: number, audit?: AuditEntry): Promise<App | null>;
  deleteApp(id: string, audit?: AuditEntry): Promise<boolean>;

  /** Keeps an app token by its SHA-256 (hex); deleting the app deletes its tokens. */
  createAppToken(token: AppToken, hashHex: string, audit?: AuditEntry): Promise<AppToken>;
  listAppTokens(appId: string): Promise<AppToken[]>;
  deleteAppToken(appId: string, id: string, audit?: AuditEntry): Promise<boolean>;
  /** The token whose SHA-256 (hex) this is, or null: how a bearer token is resolved to its app. */
  findAppTokenByHash(hashHex: string): Promise<AppToken | null>;
  /** The app's token with this id, or null once it is revoked. */
  findAppToken(appId: string, id: string): Promise<AppToken | null>;

  /** A value hookd keeps for itself (the ops app's id, the portal-link signing key), or null when never set. */
  readSetting(name: string): Promise<string | null>;
  /** Compare and set: writes `value` only if the setting is still `expected` (null: unset); true when this call wrote it. */
  swapSetting(name: string, expected: string | null, value: string, audit?: AuditEntry): Promise<boolean>;
  /**
   * Passes every stored secret (endpoints' secrets and previous secrets, their credentials' secrets, sources' secrets)
   * through `rewrite` and stores what it returns, all in one transaction; the count of values it changed.
   */
  rewriteSecrets(rewrite: (value: string) => string): Promise<number>;
  /** The app's portal-link epoch (links carry the epoch they were made in), or null when there is no such app. */
  portalEpoch(appId: string): Promise<number | null>;
  /** Refuses every portal link made for the app so far and ends its portal sessions; false when there is no such app. */
  revokePortalAccess(appId: string, audit?: AuditEntry): Promise<boolean>;

  /**
   * Fails with StoreLimitError when the app has `maxPerApp` endpoints already (disabled ones count), however many
   * processes create endpoints at once.
   */
  createEndpoint(
    endpoint: Endpoint,
    maxPerApp?: number,
    credentials?: EndpointCredentials,
    audit?: AuditEntry,
  ): Promise<Endpoint>;
  /** The credentials of those of these endpoints that have any, in one read. */
  endpointCredentials(endpointIds: readonly string[]): Promise<Map<string, EndpointCredentials>>;
  findEndpoint(appId: string, id: string): Promise<Endpoint | null>;
  listEndpoints(appId: string, page: PageQuery): Promise<Page<Endpoint>>;
  /**
   * The newest `perApp` endpoints of each of these apps, oldest first, in one read (a list of sources shows each one's
   * destinations); an app without endpoints is left out.
   */
  endpointsOfApps(appIds: string[], perApp: number): Promise<Record<string, Endpoint[]>>;
  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number, audit?: AuditEntry): Promise<Endpoint | null>;
  /** Writes every part of `change` or none; null, and nothing written, when there is no such endpoint. */
  changeEndpoint(appId: string, id: string, change: EndpointChange, now: number): Promise<Endpoint | null>;
  deleteEndpoint(appId: string, id: string, audit?: AuditEntry): Promise<boolean>;
  /**
   * Makes `secret` the endpoint's secret; the one it replaces keeps signing beside it until `previousExpiresAt`
   * (a secret an earlier rotation replaced stops at once). Null when there is no such endpoint. A new scheme comes
   * with its new kind of secret through changeEndpoint.
   */
  rotateEndpointSecret(
    appId: string,
    id: string,
    secret: string,
    previousExpiresAt: number,
    now: number,
    audit?: AuditEntry,
  ): Promise<Endpoint | null>;
  /** Disables the endpoint and fails its pending deliveries that are not in flight. */
  disableEndpoint(id: string, reason: string, now: number, audit?: AuditEntry): Promise<void>;
  countDeliveriesByStatus(endpointId: string): Promise<Record<DeliveryStatus, number>>;
  /** The endpoint's current failure run and its attempts over the last hour and day before `now`. */
  endpointHealth(endpointId: string, now: number): Promise<EndpointHealth>;

  /** Fails with StoreConflictError('name') when the name is taken. */
  createEventType(eventType: EventType, audit?: AuditEntry): Promise<EventType>;
  findEventType(name: string): Promise<EventType | null>;
  listEventTypes(query: EventTypeQuery): Promise<Page<EventType>>;
  /** Null when no event type has this name. */
  updateEventType(name: string, patch: EventTypePatch, now: number, audit?: AuditEntry): Promise<EventType | null>;

  /** Fails with StoreConflictError('name') when the name is taken. Deleting the source's app deletes the source. */
  createSource(source: Source, audit?: AuditEntry): Promise<Source>;
  /**
   * Writes the app, its endpoints and the source in one transaction: all of them, or none. Fails with
   * StoreConflictError('name') when the source's name is taken.
   */
  createSourceWithDestinations(input: NewSource): Promise<{ app: App; destinations: Endpoint[]; source: Source }>;
  /** By id, or by name. */
  findSource(idOrName: string): Promise<Source | null>;
  listSources(page: PageQuery): Promise<Page<Source>>;
  /** Null when there is no such source. */
  updateSource(id: string, patch: SourcePatch, now: number, audit?: AuditEntry): Promise<Source | null>;
  /** Counts one refused request and keeps it as the source's last refusal. */
  recordSourceRefusal(id: string, refusal: SourceRefusal): Promise<void>;
  /**
   * Adds each source's count of refused requests, keeps its last refusal and its latest RECENT_REFUSALS_KEPT
   * refusals; gone sources are skipped.
   */
  recordSourceRefusals(counts: readonly SourceRefusalCount[]): Promise<void>;
  /** The source's latest refusals with their reasons, newest first (at most RECENT_REFUSALS_KEPT are kept). */
  listSourceRefusals(sourceId: string, limit: number): Promise<SourceRefusal[]>;

  /** Writes the message and its deliveries in one transaction (the outbox). */
  publishMessage(input: PublishInput): Promise<PublishResult>;
  findMessage(appId: string, id: string): Promise<Message | null>;
  listMessages(appId: string, filter: MessageFilter, page: MessagePageQuery): Promise<MessagePage>;
  /**
   * Makes content search on these payload paths use an index, and drops the indexes of paths no longer declared.
   * SQLite builds one expression index per path; PostgreSQL's one jsonb index covers every path, so it does nothing.
   */
  declareSearchFields(paths: readonly string[][]): Promise<void>;
  /**
   * The app's messages after the id `after` (all when null), created at or before `until`, oldest first: what a
   * stream of the app's events sends next.
   */
  messagesAfter(appId: string, after: string | null, until: number, limit: number): Promise<Message[]>;

  findDelivery(appId: string, id: string): Promise<Delivery | null>;
  listDeliveries(appId: string, filter: DeliveryFilter, page: PageQuery): Promise<Page<Delivery>>;
  listAttempts(deliveryId: string): Promise<Attempt[]>;
  /** Attempts after an id, oldest first, with their delivery's facts: the feed `hookd tail` streams. */
  listAttemptsAfter(query: AttemptFeedQuery): Promise<AttemptActivity[]>;
  /** An endpoint's attempts log, newest first, with their delivery's facts, in cursor pages (the cursor: an attempt id). */
  listEndpointAttempts(endpointId: string, query: EndpointAttemptsQuery): Promise<Page<AttemptActivity>>;
  /** Makes one delivery due now with a fresh retry schedule; null when it is in flight. */
  retryDelivery(appId: string, id: string, now: number, audit?: AuditEntry): Promise<Delivery | null>;
  /** Makes an endpoint's deliveries of one status, created since a time, due again; returns how many. */
  replayDeliveries(input: ReplayInput): Promise<number>;
  /** How many deliveries `replayDeliveries` would make due again with this input, changing nothing. */
  countReplayable(input: Omit<ReplayInput, 'now' | 'audit'>): Promise<number>;
}
