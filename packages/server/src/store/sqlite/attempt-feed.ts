/** The attempt feed for `hookd tail`, and an endpoint's attempts log, from the SQLite file. */
import type Database from 'better-sqlite3';
import type { Page } from '../admin-store.js';
import {
  ATTEMPT_WITH_DELIVERY,
  type AttemptActivity,
  type AttemptFeedQuery,
  type AttemptFeedRowExtra,
  type EndpointAttemptsQuery,
  toActivity,
} from '../attempt-feed.js';
import { type AttemptRow, toAttempt, toPage } from './rows.js';

export function attemptFeedQueries(db: Database.Database) {
  const feed = db.prepare<Record<string, unknown>, AttemptRow & AttemptFeedRowExtra>(`${ATTEMPT_WITH_DELIVERY}
    WHERE (@after IS NULL OR a.id > @after) AND (@appId IS NULL OR d.app_id = @appId)
      AND (@endpointId IS NULL OR d.endpoint_id = @endpointId)
    ORDER BY a.id LIMIT @limit`);
  // Walks attempts_by_endpoint from the newest; the cursor is the last attempt shown, read back for its start time.
  const log = db.prepare<Record<string, unknown>, AttemptRow & AttemptFeedRowExtra>(`${ATTEMPT_WITH_DELIVERY}
    WHERE a.endpoint_id = @endpointId
      AND (@after IS NULL OR (a.started_at, a.id) < (SELECT started_at, id FROM attempts WHERE id = @after))
      AND (@since IS NULL OR a.started_at >= @since) AND (@until IS NULL OR a.started_at < @until)
      AND (@errorCode IS NULL OR a.error_code = @errorCode)
      AND (@status IS NULL OR (@status = 'succeeded') = coalesce(a.response_status BETWEEN 200 AND 299, 0))
    ORDER BY a.started_at DESC, a.id DESC LIMIT @limit`);
  return {
    async listEndpointAttempts(endpointId: string, query: EndpointAttemptsQuery): Promise<Page<AttemptActivity>> {
      const rows = log.all({
        endpointId,
        after: query.after ?? null,
        since: query.since ?? null,
        until: query.until ?? null,
        errorCode: query.errorCode ?? null,
        status: query.status ?? null,
        limit: query.limit + 1,
      });
      return toPage(rows, query.limit, (row) => toActivity(toAttempt(row), row));
    },
    async listAttemptsAfter(query: AttemptFeedQuery): Promise<AttemptActivity[]> {
      return feed
        .all({ after: query.afterId, appId: query.appId ?? null, endpointId: query.endpointId ?? null, limit: query.limit })
        .map((row) => toActivity(toAttempt(row), row));
    },
  };
}
