/** The attempt feed for `hookd tail`, and an endpoint's attempts log, from PostgreSQL. */
import type { Page } from '../admin-store.js';
import {
  ATTEMPT_WITH_DELIVERY,
  type AttemptActivity,
  type AttemptFeedQuery,
  type AttemptFeedRowExtra,
  type EndpointAttemptsQuery,
  toActivity,
} from '../attempt-feed.js';
import type { Queryable } from './pool.js';
import { type AttemptRow, toAttempt, toPage } from './rows.js';

const FEED = `${ATTEMPT_WITH_DELIVERY}
  WHERE ($1::text IS NULL OR a.id > $1) AND ($2::text IS NULL OR d.app_id = $2) AND ($3::text IS NULL OR d.endpoint_id = $3)
  ORDER BY a.id LIMIT $4`;

// Walks attempts_by_endpoint from the newest; the cursor is the last attempt shown, read back for its start time.
const LOG = `${ATTEMPT_WITH_DELIVERY}
  WHERE a.endpoint_id = $1
    AND ($2::text IS NULL OR (a.started_at, a.id) < (SELECT started_at, id FROM attempts WHERE id = $2))
    AND ($3::bigint IS NULL OR a.started_at >= $3) AND ($4::bigint IS NULL OR a.started_at < $4)
    AND ($5::text IS NULL OR a.error_code = $5)
    AND ($6::text IS NULL OR ($6 = 'succeeded') = coalesce(a.response_status BETWEEN 200 AND 299, false))
  ORDER BY a.started_at DESC, a.id DESC LIMIT $7`;

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
    async listEndpointAttempts(endpointId: string, query: EndpointAttemptsQuery): Promise<Page<AttemptActivity>> {
      const { rows } = await db.query<AttemptRow & AttemptFeedRowExtra>(LOG, [
        endpointId,
        query.after ?? null,
        query.since ?? null,
        query.until ?? null,
        query.errorCode ?? null,
        query.status ?? null,
        query.limit + 1,
      ]);
      return toPage(rows, query.limit, (row) => toActivity(toAttempt(row), row));
    },
  };
}
