/** The dashboard's reads from the SQLite file: every one walks an index (attempts by start or endpoint, deliveries by message). */
import type Database from 'better-sqlite3';
import type { Attempt, AttemptErrorCode, DeliveryStatus } from '../../domain/index.js';
import type {
  AttemptBucket,
  AttemptSeriesQuery,
  DeliveryCounts,
  EndpointErrors,
  EndpointErrorsQuery,
  EndpointListing,
  TroubledEndpoint,
} from '../dashboard-store.js';
import { type AttemptRow, type EndpointRow, toAttempt, toEndpoint } from './rows.js';

type ListingRow = Omit<AttemptRow, 'id'> & {
  id: string | null;
  listed_id: string;
  listed_failing_since: number | null;
  listed_failing_alerted_at: number | null;
  listed_attempts: number;
  listed_successes: number;
};

export function dashboardQueries(db: Database.Database) {
  const series = db.prepare<Record<string, unknown>, AttemptBucket>(`
    SELECT (started_at - CAST(@since AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS "index", count(*) AS attempts,
      coalesce(sum(response_status BETWEEN 200 AND 299), 0) AS successes,
      avg(CASE WHEN response_status IS NOT NULL THEN duration_ms END) AS avgLatencyMs
    FROM attempts
    WHERE started_at >= @since AND started_at < @until
      AND (@appId IS NULL OR endpoint_id IN (SELECT id FROM endpoints WHERE app_id = @appId))
    GROUP BY 1 ORDER BY 1`);
  const troubled = db.prepare<
    { appId: string | null; limit: number },
    EndpointRow & { failing_since: number | null; failing_alerted_at: number | null }
  >(`
    SELECT * FROM endpoints
    WHERE (@appId IS NULL OR app_id = @appId)
      AND (disabled_at IS NOT NULL OR failing_since IS NOT NULL OR failing_alerted_at IS NOT NULL)
    ORDER BY disabled_at IS NULL, coalesce(failing_since, failing_alerted_at, disabled_at), id LIMIT @limit`);
  const last = db.prepare<[string], AttemptRow>(
    'SELECT * FROM attempts WHERE endpoint_id = ? ORDER BY started_at DESC, id DESC LIMIT 1',
  );
  // The endpoint's own columns are renamed so the latest attempt's (a.*) keep their names; a.id is null without one.
  const listings = db.prepare<{ ids: string; since: number }, ListingRow>(`
    SELECT e.id AS listed_id, e.failing_since AS listed_failing_since, e.failing_alerted_at AS listed_failing_alerted_at,
      (SELECT count(*) FROM attempts WHERE endpoint_id = e.id AND started_at >= @since) AS listed_attempts,
      (SELECT coalesce(sum(response_status BETWEEN 200 AND 299), 0) FROM attempts
        WHERE endpoint_id = e.id AND started_at >= @since) AS listed_successes,
      a.*
    FROM endpoints e
    LEFT JOIN attempts a ON a.id = (
      SELECT id FROM attempts WHERE endpoint_id = e.id ORDER BY started_at DESC, id DESC LIMIT 1)
    WHERE e.id IN (SELECT value FROM json_each(@ids))`);
  // Both read the partial index of failed attempts by endpoint: successes, however many, are never walked.
  const lastError = db.prepare<{ id: string; since: number }, AttemptRow>(`
    SELECT * FROM attempts WHERE endpoint_id = @id AND error_code IS NOT NULL AND started_at >= @since
    ORDER BY started_at DESC, id DESC LIMIT 1`);
  const mix = db.prepare<{ id: string; since: number }, { code: AttemptErrorCode; status: number | null; count: number }>(`
    SELECT error_code AS code, response_status AS status, count(*) AS count FROM attempts
    WHERE endpoint_id = @id AND error_code IS NOT NULL AND started_at >= @since
    GROUP BY error_code, response_status ORDER BY count DESC, code, status`);
  const alerted = db.prepare<[string], { failing_alerted_at: number | null }>(
    'SELECT failing_alerted_at FROM endpoints WHERE id = ?',
  );
  const errorsOf = db.transaction((ids: string[], query: EndpointErrorsQuery) => {
    const result: Record<string, EndpointErrors> = {};
    for (const id of ids) {
      const endpoint = alerted.get(id);
      if (!endpoint) continue;
      const last = lastError.get({ id, since: query.lastSince });
      result[id] = {
        lastError: last ? toAttempt(last) : null,
        mix: mix.all({ id, since: query.mixSince }),
        failingAlertedAt: endpoint.failing_alerted_at,
      };
    }
    return result;
  });
  const counts = db.prepare<[string, string], { message_id: string; status: DeliveryStatus; n: number }>(`
    SELECT message_id, status, count(*) AS n FROM deliveries
    WHERE app_id = ? AND message_id IN (SELECT value FROM json_each(?)) GROUP BY message_id, status`);

  return {
    async attemptSeries(query: AttemptSeriesQuery): Promise<AttemptBucket[]> {
      return series
        .all({ ...query, appId: query.appId ?? null })
        .map((b) => ({ ...b, avgLatencyMs: b.avgLatencyMs === null ? null : Math.round(b.avgLatencyMs) }));
    },
    async troubledEndpoints(appId: string | null, limit: number): Promise<TroubledEndpoint[]> {
      return troubled.all({ appId, limit }).map((row) => ({
        endpoint: toEndpoint(row),
        failingSince: row.failing_since,
        failingAlertedAt: row.failing_alerted_at,
      }));
    },
    async lastAttemptOf(endpointId: string): Promise<Attempt | null> {
      const row = last.get(endpointId);
      return row ? toAttempt(row) : null;
    },
    async endpointListings(endpointIds: string[], since: number): Promise<Record<string, EndpointListing>> {
      const result: Record<string, EndpointListing> = {};
      if (endpointIds.length === 0) return result;
      for (const row of listings.all({ ids: JSON.stringify(endpointIds), since })) {
        result[row.listed_id] = {
          failingSince: row.listed_failing_since,
          failingAlertedAt: row.listed_failing_alerted_at,
          attempts: row.listed_attempts,
          successes: row.listed_successes,
          lastAttempt: row.id === null ? null : toAttempt(row as AttemptRow),
        };
      }
      return result;
    },
    async endpointErrors(endpointIds: string[], query: EndpointErrorsQuery): Promise<Record<string, EndpointErrors>> {
      return errorsOf(endpointIds, query);
    },
    async countDeliveriesByMessage(appId: string, messageIds: string[]): Promise<Record<string, DeliveryCounts>> {
      const result: Record<string, DeliveryCounts> = {};
      if (messageIds.length === 0) return result;
      for (const row of counts.all(appId, JSON.stringify(messageIds))) {
        result[row.message_id] ??= { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
        (result[row.message_id] as DeliveryCounts)[row.status] = row.n;
      }
      return result;
    },
  };
}
