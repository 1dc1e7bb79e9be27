/** The attempt feed for `hookd tail`, from PostgreSQL. */
import { type AttemptActivity, type AttemptFeedQuery, type AttemptFeedRowExtra, toActivity } from '../attempt-feed.js';
import type { Queryable } from './pool.js';
import { type AttemptRow, toAttempt } from './rows.js';

const FEED = `
  SELECT a.*, d.app_id AS d_app_id, d.endpoint_id AS d_endpoint_id, d.message_id AS d_message_id, d.status AS d_status,
    d.attempt_count AS d_attempt_count, m.type AS m_type, e.url AS e_url
  FROM attempts a
  JOIN deliveries d ON d.id = a.delivery_id
  JOIN messages m ON m.id = d.message_id
  JOIN endpoints e ON e.id = d.endpoint_id
  WHERE ($1::text IS NULL OR a.id > $1) AND ($2::text IS NULL OR d.app_id = $2) AND ($3::text IS NULL OR d.endpoint_id = $3)
  ORDER BY a.id LIMIT $4`;

export function attemptFeedQueries(db: Queryable) {
  return {
    async listAttemptsAfter(query: AttemptFeedQuery): Promise<AttemptActivity[]> {
      const { rows } = await db.query<AttemptRow & AttemptFeedRowExtra>(FEED, [
        query.afterId,
        query.appId ?? null,
        query.endpointId ?? null,
        query.limit,
      ]);
      return rows.map((row) => toActivity(toAttempt(row), row));
    },
  };
}
