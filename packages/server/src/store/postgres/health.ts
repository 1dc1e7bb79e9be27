/** Endpoint health from its recent attempts: counts, success rate and nearest-rank latency percentiles per window. */
import {
  type EndpointHealth,
  HEALTH_WINDOWS_MS,
  type HealthWindow,
  healthWindow,
  LATENCY_PERCENTILES,
} from '../../domain/index.js';
import type { Queryable } from './pool.js';

// One read for both windows; percentile_disc picks the nearest rank, as the SQLite store does.
const HEALTH = `
  SELECT w.name, count(a.id)::int AS attempts,
    (count(a.id) FILTER (WHERE a.response_status BETWEEN 200 AND 299))::int AS successes,
    percentile_disc($4::float8) WITHIN GROUP (ORDER BY a.duration_ms) FILTER (WHERE a.response_status IS NOT NULL) AS p50,
    percentile_disc($5::float8) WITHIN GROUP (ORDER BY a.duration_ms) FILTER (WHERE a.response_status IS NOT NULL) AS p95,
    (SELECT failing_since FROM endpoints WHERE id = $1) AS failing_since
  FROM (VALUES ('1h', $2::bigint), ('24h', $3::bigint)) AS w (name, since)
  LEFT JOIN attempts a ON a.endpoint_id = $1 AND a.started_at >= w.since
  GROUP BY w.name`;

interface HealthRow {
  name: '1h' | '24h';
  attempts: number;
  successes: number;
  p50: number | null;
  p95: number | null;
  failing_since: string | number | null;
}

export async function endpointHealth(db: Queryable, endpointId: string, now: number): Promise<EndpointHealth> {
  const { rows } = await db.query<HealthRow>(HEALTH, [
    endpointId,
    now - HEALTH_WINDOWS_MS['1h'],
    now - HEALTH_WINDOWS_MS['24h'],
    LATENCY_PERCENTILES.p50,
    LATENCY_PERCENTILES.p95,
  ]);
  const window = (name: HealthRow['name']): HealthWindow => {
    const row = rows.find((r) => r.name === name);
    return row ? healthWindow(row.attempts, row.successes, row.p50, row.p95) : healthWindow(0, 0, null, null);
  };
  const failingSince = rows[0]?.failing_since ?? null;
  return {
    failingSince: failingSince === null ? null : Number(failingSince),
    windows: { '1h': window('1h'), '24h': window('24h') },
  };
}
