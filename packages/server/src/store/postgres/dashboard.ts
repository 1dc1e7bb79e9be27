/** The dashboard's reads from PostgreSQL: every one walks an index (attempts by start or endpoint, deliveries by message). */
import type { Attempt, AttemptErrorCode, DeliveryStatus } from '../../domain/index.js';
import type {
  AttemptBucket,
  AttemptSeriesQuery,
  DeliveryCounts,
  EndpointErrors,
  EndpointErrorsQuery,
  EndpointListing,
  ErrorMixEntry,
  TroubledEndpoint,
} from '../dashboard-store.js';
import type { Queryable } from './pool.js';
import { type AttemptRow, type EndpointRow, toAttempt, toEndpoint } from './rows.js';

const SERIES = `
  SELECT ((started_at - $1) / $3)::int AS index, count(*)::int AS attempts,
    (count(*) FILTER (WHERE response_status BETWEEN 200 AND 299))::int AS successes,
    round(avg(duration_ms) FILTER (WHERE response_status IS NOT NULL))::int AS avg_latency_ms
  FROM attempts
  WHERE started_at >= $1 AND started_at < $2
    AND ($4::text IS NULL OR endpoint_id IN (SELECT id FROM endpoints WHERE app_id = $4))
  GROUP BY 1 ORDER BY 1`;
const TROUBLED = `
  SELECT * FROM endpoints
  WHERE ($1::text IS NULL OR app_id = $1)
    AND (disabled_at IS NOT NULL OR failing_since IS NOT NULL OR failing_alerted_at IS NOT NULL)
  ORDER BY disabled_at IS NULL, coalesce(failing_since, failing_alerted_at, disabled_at), id LIMIT $2`;
const LAST = 'SELECT * FROM attempts WHERE endpoint_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1';
// The endpoint's own columns are renamed so the latest attempt's (a.*) keep their names; a.id is null without one.
const LISTINGS = `
  SELECT e.id AS listed_id, e.failing_since AS listed_failing_since, e.failing_alerted_at AS listed_failing_alerted_at,
    w.attempts AS listed_attempts,
    w.successes AS listed_successes, a.*
  FROM endpoints e
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS attempts, (count(*) FILTER (WHERE response_status BETWEEN 200 AND 299))::int AS successes
    FROM attempts WHERE endpoint_id = e.id AND started_at >= $2) w
  LEFT JOIN LATERAL (
    SELECT * FROM attempts WHERE endpoint_id = e.id ORDER BY started_at DESC, id DESC LIMIT 1) a ON true
  WHERE e.id = ANY($1::text[])`;
type ListingRow = Omit<AttemptRow, 'id'> & {
  id: string | null;
  listed_id: string;
  listed_failing_since: number | null;
  listed_failing_alerted_at: number | null;
  listed_attempts: number;
  listed_successes: number;
};
// Both read the partial index of failed attempts by endpoint: successes, however many, are never walked.
const LAST_ERRORS = `
  SELECT a.* FROM endpoints e
  CROSS JOIN LATERAL (
    SELECT * FROM attempts WHERE endpoint_id = e.id AND error_code IS NOT NULL AND started_at >= $2
    ORDER BY started_at DESC, id DESC LIMIT 1) a
  WHERE e.id = ANY($1::text[])`;
const MIX = `
  SELECT endpoint_id, error_code AS code, response_status AS status, count(*)::int AS count FROM attempts
  WHERE endpoint_id = ANY($1::text[]) AND error_code IS NOT NULL AND started_at >= $2
  GROUP BY endpoint_id, error_code, response_status ORDER BY count DESC, code, status`;
const ALERTED = 'SELECT id, failing_alerted_at FROM endpoints WHERE id = ANY($1::text[])';
const COUNTS = `
  SELECT message_id, status, count(*)::int AS n FROM deliveries
  WHERE app_id = $1 AND message_id = ANY($2::text[]) GROUP BY message_id, status`;

export function dashboardQueries(db: Queryable) {
  return {
    async attemptSeries(query: AttemptSeriesQuery): Promise<AttemptBucket[]> {
      const { rows } = await db.query<{ index: number; attempts: number; successes: number; avg_latency_ms: number | null }>(
        SERIES,
        [query.since, query.until, query.bucketMs, query.appId ?? null],
      );
      return rows.map((r) => ({ index: r.index, attempts: r.attempts, successes: r.successes, avgLatencyMs: r.avg_latency_ms }));
    },
    async troubledEndpoints(appId: string | null, limit: number): Promise<TroubledEndpoint[]> {
      const { rows } = await db.query<EndpointRow & { failing_since: number | null; failing_alerted_at: string | null }>(
        TROUBLED,
        [appId, limit],
      );
      return rows.map((row) => ({
        endpoint: toEndpoint(row),
        failingSince: row.failing_since,
        failingAlertedAt: row.failing_alerted_at === null ? null : Number(row.failing_alerted_at),
      }));
    },
    async lastAttemptOf(endpointId: string): Promise<Attempt | null> {
      const { rows } = await db.query<AttemptRow>(LAST, [endpointId]);
      return rows[0] ? toAttempt(rows[0]) : null;
    },
    async endpointListings(endpointIds: string[], since: number): Promise<Record<string, EndpointListing>> {
      const result: Record<string, EndpointListing> = {};
      if (endpointIds.length === 0) return result;
      const { rows } = await db.query<ListingRow>(LISTINGS, [endpointIds, since]);
      for (const row of rows) {
        result[row.listed_id] = {
          failingSince: row.listed_failing_since === null ? null : Number(row.listed_failing_since),
          failingAlertedAt: row.listed_failing_alerted_at === null ? null : Number(row.listed_failing_alerted_at),
          attempts: row.listed_attempts,
          successes: row.listed_successes,
          lastAttempt: row.id === null ? null : toAttempt(row as AttemptRow),
        };
      }
      return result;
    },
    async endpointErrors(endpointIds: string[], query: EndpointErrorsQuery): Promise<Record<string, EndpointErrors>> {
      const result: Record<string, EndpointErrors> = {};
      if (endpointIds.length === 0) return result;
      const [alerted, last, mix] = await Promise.all([
        db.query<{ id: string; failing_alerted_at: string | null }>(ALERTED, [endpointIds]),
        db.query<AttemptRow & { endpoint_id: string }>(LAST_ERRORS, [endpointIds, query.lastSince]),
        db.query<{ endpoint_id: string; code: AttemptErrorCode; status: number | null; count: number }>(MIX, [
          endpointIds,
          query.mixSince,
        ]),
      ]);
      for (const row of alerted.rows) {
        const at = row.failing_alerted_at;
        result[row.id] = { lastError: null, mix: [], failingAlertedAt: at === null ? null : Number(at) };
      }
      for (const row of last.rows) {
        const entry = result[row.endpoint_id];
        if (entry) entry.lastError = toAttempt(row);
      }
      for (const { endpoint_id, ...entry } of mix.rows) result[endpoint_id]?.mix.push(entry as ErrorMixEntry);
      return result;
    },
    async countDeliveriesByMessage(appId: string, messageIds: string[]): Promise<Record<string, DeliveryCounts>> {
      const result: Record<string, DeliveryCounts> = {};
      if (messageIds.length === 0) return result;
      const { rows } = await db.query<{ message_id: string; status: DeliveryStatus; n: number }>(COUNTS, [appId, messageIds]);
      for (const row of rows) {
        result[row.message_id] ??= { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
        (result[row.message_id] as DeliveryCounts)[row.status] = row.n;
      }
      return result;
    },
  };
}
