/** Running the store: migrations, health, metrics, retention, and the checks behind ops events. */
import type { AuditEntry } from '../domain/index.js';

export interface SchemaVersion {
  /** The last migration applied to the database. */
  applied: number;
  /** The last migration this code knows. */
  expected: number;
}

export interface QueueStats {
  /** Pending deliveries due now, waiting for a worker. */
  due: number;
  /** Pending deliveries waiting for a retry time, or in flight under a lease. */
  scheduled: number;
  /** When the longest-waiting due delivery fell due; null when none is due. */
  oldestDueAt: number | null;
  disabledEndpoints: number;
}

export interface PurgeInput {
  /** Attempts started, and messages created, before this time are purged. */
  cutoff: number;
  /** Most attempts, and most messages, one call purges. */
  limit: number;
}

export interface HistoryMaintenanceInput {
  now: number;
  /** Partitions wholly before this time are dropped (those still holding a pending delivery are kept). */
  cutoff: number;
  /** Days after today whose partitions are made ahead. */
  daysAhead: number;
}

/** What history maintenance did, by partition name; all empty on a store without partitions (SQLite). */
export interface HistoryMaintenance {
  made: string[];
  dropped: string[];
  /** Past the cutoff but kept: their day still has a pending delivery. */
  kept: string[];
}

export interface PurgeResult {
  /** Attempts deleted. */
  attempts: number;
  /** Messages whose payload was dropped; the message and its deliveries stay. */
  messages: number;
  /**
   * Records of the deliveries that recovery jobs finished before the cutoff re-queued; such a job goes with its last
   * record.
   */
  recoveryRecords: number;
}

export interface FailureRateQuery {
  /** Endpoints with an attempt started at or after this time are judged. */
  since: number;
  /** How many of each endpoint's latest attempts the rate is taken over. */
  window: number;
}

export interface EndpointFailureRate {
  endpointId: string;
  appId: string;
  url: string;
  /** The endpoint's latest attempts counted, at most the window. */
  attempts: number;
  /** Of those, the ones not answered with a 2xx. */
  failures: number;
  /** When the endpoint's current `endpoint.failing` episode was opened; null when none is open. */
  failingAlertedAt: number | null;
}

export interface SilentApp {
  appId: string;
  uid: string | null;
  name: string;
  /** The app's newest message time, or null when it never had one. */
  lastEventAt: number | null;
  /** Where its silence is counted from: the newest message, or the last change to the app (turning alerting on). */
  quietSince: number;
  /** The `quietSince` of the last silence alerted, if any. */
  silenceAlertedAt: number | null;
}

/** What `ops/`, the health routes and whoever opens the store (the server, `hookd migrate`) use. */
export interface OpsStore {
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** The schema version the database is at, against the one this code expects. */
  schemaVersion(): Promise<SchemaVersion>;
  close(): Promise<void>;

  /** Queue figures for metrics: one read, over every pending delivery. */
  queueStats(now: number): Promise<QueueStats>;
  /**
   * Retention, one small transaction per call: deletes up to `limit` attempts started before `cutoff`, and drops
   * the payload of up to `limit` messages created before it whose deliveries are all finished (never one a pending
   * delivery still has to send). Messages and deliveries stay, so lists and counts are unchanged. Recovery jobs
   * finished before `cutoff` go too, `limit` of their records at a time.
   */
  purgeBefore(input: PurgeInput): Promise<PurgeResult>;
  /** Makes the partitions of the coming days and drops those wholly past the cutoff (PostgreSQL; a no-op on SQLite). */
  maintainHistory(input: HistoryMaintenanceInput): Promise<HistoryMaintenance>;
  /** Runs `run` unless another process is running retention now, then resolves to null (one runner at a time). */
  retentionExclusive<T>(run: () => Promise<T>): Promise<T | null>;
  /** Deletes audit entries older than the cutoff, at most `limit` of them; how many went. Retention's only door to the log. */
  purgeAuditLog(input: PurgeInput): Promise<number>;
  /** Audit entries after the id `after` (all when null), made before `until`, oldest first: what is shipped next. */
  auditEntriesAfter(after: string | null, until: number, limit: number): Promise<AuditEntry[]>;

  /** Failure rates over the latest attempts of every endpoint attempted since `query.since`. */
  endpointFailureRates(query: FailureRateQuery): Promise<EndpointFailureRate[]>;
  /** Opens an `endpoint.failing` episode at `at` unless one is open; true when this call opened it. */
  openFailingEpisode(endpointId: string, at: number): Promise<boolean>;
  /** Closes the episode opened at `openedAt`, if it is still the open one; true when this call closed it. */
  closeFailingEpisode(endpointId: string, openedAt: number): Promise<boolean>;
  /** Apps that asked for silence alerts, quiet since before `quietBefore`, whose silence was not alerted yet. */
  silentApps(quietBefore: number): Promise<SilentApp[]>;
  /** Sets the app's alerted silence to `to` if it is still `from` (compare and set); true when this call set it. */
  markAppSilent(appId: string, from: number | null, to: number | null): Promise<boolean>;
}
