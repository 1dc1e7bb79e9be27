/**
 * What the ops monitor reads and marks: endpoint failure rates over their latest attempts, apps gone quiet, and the
 * compare-and-set writes that keep each `endpoint.failing` and `ingest.silent` episode to one alert.
 */
import type Database from 'better-sqlite3';
import type { EndpointFailureRate, FailureRateQuery, SilentApp } from '../ops-store.js';

interface FailureRateRow {
  id: string;
  app_id: string;
  url: string;
  failing_alerted_at: number | null;
  attempts: number;
  failures: number;
}

interface SilentAppRow {
  id: string;
  uid: string | null;
  name: string;
  last_event_at: number | null;
  quiet_since: number;
  silence_alerted_at: number | null;
}

export function opsQueries(db: Database.Database) {
  // Each endpoint's latest attempts come from one short range of attempts_by_endpoint.
  const failureRates = db.prepare<{ since: number; window: number }, FailureRateRow>(`
    WITH judged AS (SELECT DISTINCT endpoint_id AS id FROM attempts WHERE started_at >= @since)
    SELECT e.id, e.app_id, e.url, e.failing_alerted_at,
      (SELECT count(*) FROM (
        SELECT 1 FROM attempts a WHERE a.endpoint_id = e.id ORDER BY a.started_at DESC LIMIT @window)) AS attempts,
      (SELECT count(*) FROM (
        SELECT a.response_status AS s FROM attempts a WHERE a.endpoint_id = e.id ORDER BY a.started_at DESC LIMIT @window)
       WHERE s IS NULL OR s NOT BETWEEN 200 AND 299) AS failures
    FROM judged j JOIN endpoints e ON e.id = j.id`);
  const openEpisode = db.prepare('UPDATE endpoints SET failing_alerted_at = @at WHERE id = @id AND failing_alerted_at IS NULL');
  const closeEpisode = db.prepare(
    'UPDATE endpoints SET failing_alerted_at = NULL WHERE id = @id AND failing_alerted_at = @openedAt',
  );
  // Ids start with their creation time, so an app's newest message is the last of messages_by_app.
  const silent = db.prepare<{ before: number }, SilentAppRow>(`
    SELECT * FROM (
      SELECT id, uid, name, silence_alerted_at, last_event_at, max(coalesce(last_event_at, 0), updated_at) AS quiet_since
      FROM (
        SELECT a.*, (SELECT m.created_at FROM messages m WHERE m.app_id = a.id ORDER BY m.id DESC LIMIT 1) AS last_event_at
        FROM apps a WHERE a.alert_when_silent = 1))
    WHERE quiet_since < @before AND (silence_alerted_at IS NULL OR silence_alerted_at <> quiet_since)`);
  const markSilent = db.prepare('UPDATE apps SET silence_alerted_at = @to WHERE id = @id AND silence_alerted_at IS @from');

  return {
    async endpointFailureRates(query: FailureRateQuery): Promise<EndpointFailureRate[]> {
      return failureRates.all(query).map((r) => ({
        endpointId: r.id,
        appId: r.app_id,
        url: r.url,
        attempts: r.attempts,
        failures: r.failures,
        failingAlertedAt: r.failing_alerted_at,
      }));
    },
    async openFailingEpisode(endpointId: string, at: number): Promise<boolean> {
      return openEpisode.run({ id: endpointId, at }).changes > 0;
    },
    async closeFailingEpisode(endpointId: string, openedAt: number): Promise<boolean> {
      return closeEpisode.run({ id: endpointId, openedAt }).changes > 0;
    },
    async silentApps(quietBefore: number): Promise<SilentApp[]> {
      return silent.all({ before: quietBefore }).map((r) => ({
        appId: r.id,
        uid: r.uid,
        name: r.name,
        lastEventAt: r.last_event_at,
        quietSince: r.quiet_since,
        silenceAlertedAt: r.silence_alerted_at,
      }));
    },
    async markAppSilent(appId: string, from: number | null, to: number | null): Promise<boolean> {
      return markSilent.run({ id: appId, from, to }).changes > 0;
    },
  };
}
