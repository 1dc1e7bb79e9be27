/**
 * What the ops monitor reads and marks: endpoint failure rates over their latest attempts, apps gone quiet, and the
 * compare-and-set writes that keep each `endpoint.failing` and `ingest.silent` episode to one alert, however many
 * workers check at once.
 */
import type { EndpointFailureRate, FailureRateQuery, SilentApp } from '../ops-store.js';
import type { Queryable } from './pool.js';

// Each endpoint's latest attempts come from one short range of attempts_by_endpoint.
const FAILURE_RATES = `
  SELECT e.id AS "endpointId", e.app_id AS "appId", e.url, e.failing_alerted_at AS "failingAlertedAt",
    latest.attempts, latest.failures
  FROM (SELECT DISTINCT endpoint_id FROM attempts WHERE started_at >= $1) j
  JOIN endpoints e ON e.id = j.endpoint_id
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS attempts,
      (count(*) FILTER (WHERE a.response_status IS NULL OR a.response_status NOT BETWEEN 200 AND 299))::int AS failures
    FROM (SELECT response_status FROM attempts WHERE endpoint_id = e.id ORDER BY started_at DESC LIMIT $2) a
  ) latest`;
const OPEN_EPISODE = 'UPDATE endpoints SET failing_alerted_at = $2 WHERE id = $1 AND failing_alerted_at IS NULL';
const CLOSE_EPISODE = 'UPDATE endpoints SET failing_alerted_at = NULL WHERE id = $1 AND failing_alerted_at = $2';
// Ids start with their creation time, so an app's newest message is the last of messages_by_app.
const SILENT_APPS = `
  SELECT * FROM (
    SELECT a.id AS "appId", a.uid, a.name, a.silence_alerted_at AS "silenceAlertedAt", last.at AS "lastEventAt",
      greatest(last.at, a.updated_at) AS "quietSince"
    FROM apps a
    LEFT JOIN LATERAL (SELECT m.created_at AS at FROM messages m WHERE m.app_id = a.id ORDER BY m.id DESC LIMIT 1) last ON true
    WHERE a.alert_when_silent
  ) s
  WHERE "quietSince" < $1 AND "silenceAlertedAt" IS DISTINCT FROM "quietSince"`;
const MARK_SILENT =
  'UPDATE apps SET silence_alerted_at = $3 WHERE id = $1 AND silence_alerted_at IS NOT DISTINCT FROM $2::bigint';

const changed = (result: { rowCount: number | null }) => (result.rowCount ?? 0) > 0;

export function opsQueries(db: Queryable) {
  return {
    async endpointFailureRates(query: FailureRateQuery): Promise<EndpointFailureRate[]> {
      return (await db.query<EndpointFailureRate>(FAILURE_RATES, [query.since, query.window])).rows;
    },
    async openFailingEpisode(endpointId: string, at: number): Promise<boolean> {
      return changed(await db.query(OPEN_EPISODE, [endpointId, at]));
    },
    async closeFailingEpisode(endpointId: string, openedAt: number): Promise<boolean> {
      return changed(await db.query(CLOSE_EPISODE, [endpointId, openedAt]));
    },
    async silentApps(quietBefore: number): Promise<SilentApp[]> {
      return (await db.query<SilentApp>(SILENT_APPS, [quietBefore])).rows;
    },
    async markAppSilent(appId: string, from: number | null, to: number | null): Promise<boolean> {
      return changed(await db.query(MARK_SILENT, [appId, from, to]));
    },
  };
}
