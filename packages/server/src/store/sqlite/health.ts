/** Endpoint health from its recent attempts: counts, success rate and nearest-rank latency percentiles per window. */
import type Database from 'better-sqlite3';
import {
  type EndpointHealth,
  HEALTH_WINDOWS_MS,
  type HealthWindow,
  healthWindow,
  LATENCY_PERCENTILES,
  percentileRank,
} from '../../domain/index.js';

export function healthQueries(db: Database.Database) {
  const failing = db.prepare<[string], { failing_since: number | null }>('SELECT failing_since FROM endpoints WHERE id = ?');
  const counts = db.prepare<{ id: string; since: number }, { attempts: number; successes: number; answered: number }>(`
    SELECT count(*) AS attempts, coalesce(sum(response_status BETWEEN 200 AND 299), 0) AS successes,
      count(response_status) AS answered
    FROM attempts WHERE endpoint_id = @id AND started_at >= @since`);
  const nth = db.prepare<{ id: string; since: number; offset: number }, { duration_ms: number }>(`
    SELECT duration_ms FROM attempts
    WHERE endpoint_id = @id AND started_at >= @since AND response_status IS NOT NULL
    ORDER BY duration_ms LIMIT 1 OFFSET @offset`);

  function window(id: string, since: number): HealthWindow {
    const { attempts, successes, answered } = counts.get({ id, since }) as {
      attempts: number;
      successes: number;
      answered: number;
    };
    const latency = (p: number) =>
      answered === 0 ? null : (nth.get({ id, since, offset: percentileRank(answered, p) - 1 })?.duration_ms ?? null);
    return healthWindow(attempts, successes, latency(LATENCY_PERCENTILES.p50), latency(LATENCY_PERCENTILES.p95));
  }

  const read = db.transaction(
    (id: string, now: number): EndpointHealth => ({
      failingSince: failing.get(id)?.failing_since ?? null,
      windows: { '1h': window(id, now - HEALTH_WINDOWS_MS['1h']), '24h': window(id, now - HEALTH_WINDOWS_MS['24h']) },
    }),
  );

  return {
    async endpointHealth(endpointId: string, now: number): Promise<EndpointHealth> {
      return read(endpointId, now);
    },
  };
}
