/**
 * What the dashboard reads beside the API's lists (attempt charts, troubled endpoints, per-message delivery counts),
 * and its sign-in sessions.
 */
import type { Attempt, AttemptErrorCode, AuditEntry, DeliveryStatus, Endpoint, UiSession } from '../domain/index.js';

export interface AttemptSeriesQuery {
  /** Attempts started at or after this time, and before `until`, are counted. */
  since: number;
  until: number;
  /** Width of one bucket; bucket `i` starts at `since + i * bucketMs`. */
  bucketMs: number;
  /** Only this app's attempts; unset: every app's. */
  appId?: string;
}

/** One bucket of attempts; buckets without attempts are left out. */
export interface AttemptBucket {
  /** Index of the bucket from `since`. */
  index: number;
  attempts: number;
  /** Attempts answered with a 2xx. */
  successes: number;
  /** Mean duration of the attempts that got an answer; null when none did. */
  avgLatencyMs: number | null;
}

/**
 * An endpoint that is disabled, or failing: a run of failures with no success since `failingSince`, or a failure rate
 * over the `endpoint.failing` threshold (the ops episode opened at `failingAlertedAt` is still open).
 */
export interface TroubledEndpoint {
  endpoint: Endpoint;
  failingSince: number | null;
  failingAlertedAt: number | null;
}

/** How many failed attempts had one error code (and, for `http_status`, one status). */
export interface ErrorMixEntry {
  code: AttemptErrorCode;
  /** The status answered, for `http_status` and the other codes that come with an answer; null otherwise. */
  status: number | null;
  count: number;
}

/** Why an endpoint fails: its latest failed attempt and the mix of its recent errors. */
export interface EndpointErrors {
  /** The latest failed attempt started at or after `lastSince`, or null. */
  lastError: Attempt | null;
  /** Failed attempts started at or after `mixSince`, by code and status, the most frequent first. */
  mix: ErrorMixEntry[];
  /** When the endpoint's open `endpoint.failing` episode began; null when none is open. */
  failingAlertedAt: number | null;
}

export interface EndpointErrorsQuery {
  mixSince: number;
  lastSince: number;
}

/** What the dashboard's list of an app's endpoints shows of one: its failure run, recent attempts and the latest one. */
export interface EndpointListing {
  failingSince: number | null;
  /** When the endpoint's open `endpoint.failing` episode began; null when none is open. */
  failingAlertedAt: number | null;
  /** Attempts started at or after the time asked for, and those answered with a 2xx. */
  attempts: number;
  successes: number;
  /** The latest attempt (by start time), or null when it has none. */
  lastAttempt: Attempt | null;
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

/** What `ui/` uses beside the admin role's lists and actions. */
export interface DashboardStore {
  /** Attempt counts, successes and mean latency per time bucket, oldest first. */
  attemptSeries(query: AttemptSeriesQuery): Promise<AttemptBucket[]>;
  /**
   * Disabled endpoints first, then failing ones (a run of failures, or an open `endpoint.failing` episode) by how long
   * they have failed; of one app, or of every app when null.
   */
  troubledEndpoints(appId: string | null, limit: number): Promise<TroubledEndpoint[]>;
  /** The endpoint's latest attempt (by start time), or null when it has none. */
  lastAttemptOf(endpointId: string): Promise<Attempt | null>;
  /** One read for a whole list of endpoints, by id; an id with no endpoint is left out. */
  endpointListings(endpointIds: string[], since: number): Promise<Record<string, EndpointListing>>;
  /** Each endpoint's latest error and error mix, in one call for a list of endpoints; an unknown id is left out. */
  endpointErrors(endpointIds: string[], query: EndpointErrorsQuery): Promise<Record<string, EndpointErrors>>;
  /** Delivery counts by status for each of these messages of the app; a message without deliveries is left out. */
  countDeliveriesByMessage(appId: string, messageIds: string[]): Promise<Record<string, DeliveryCounts>>;

  /** With `audit`, the sign-in is recorded in the same transaction. */
  createUiSession(session: UiSession, audit?: AuditEntry): Promise<void>;
  /** The session with this id hash, unless it ended or expired at `now`. */
  findUiSession(idHash: string, now: number): Promise<UiSession | null>;
  /** Ends one session (sign-out); true when it was there. With `audit`, then recorded in the same transaction. */
  endUiSession(idHash: string, audit?: AuditEntry): Promise<boolean>;
  /** Ends every admin session (the admin token changed); returns how many. */
  endAdminUiSessions(): Promise<number>;
}
