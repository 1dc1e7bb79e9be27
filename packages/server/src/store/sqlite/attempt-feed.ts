/** The attempt feed for `hookd tail`, from the SQLite file. */
import type Database from 'better-sqlite3';
import { type AttemptActivity, type AttemptFeedQuery, type AttemptFeedRowExtra, toActivity } from '../attempt-feed.js';
import { type AttemptRow, toAttempt } from './rows.js';

export function attemptFeedQueries(db: Database.Database) {
  const feed = db.prepare<Record<string, unknown>, AttemptRow & AttemptFeedRowExtra>(`
    SELECT a.*, d.app_id AS d_app_id, d.endpoint_id AS d_endpoint_id, d.message_id AS d_message_id, d.status AS d_status,
      d.attempt_count AS d_attempt_count, m.type AS m_type, e.url AS e_url
    FROM attempts a
    JOIN deliveries d ON d.id = a.delivery_id
    JOIN messages m ON m.id = d.message_id
    JOIN endpoints e ON e.id = d.endpoint_id
    WHERE (@after IS NULL OR a.id > @after) AND (@appId IS NULL OR d.app_id = @appId)
      AND (@endpointId IS NULL OR d.endpoint_id = @endpointId)
    ORDER BY a.id LIMIT @limit`);
  return {
    async listAttemptsAfter(query: AttemptFeedQuery): Promise<AttemptActivity[]> {
      return feed
        .all({ after: query.afterId, appId: query.appId ?? null, endpointId: query.endpointId ?? null, limit: query.limit })
        .map((row) => toActivity(toAttempt(row), row));
    },
  };
}
