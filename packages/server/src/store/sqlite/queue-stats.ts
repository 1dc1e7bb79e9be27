/** Queue figures for metrics, read in one pass over the pending deliveries. */
import type Database from 'better-sqlite3';
import type { QueueStats } from '../ops-store.js';

export function queueStatsQuery(db: Database.Database) {
  const pending = db.prepare<[number, number, number], { due: number | null; scheduled: number | null; oldest: number | null }>(`
    SELECT sum(next_attempt_at <= ?) AS due, sum(next_attempt_at > ?) AS scheduled,
      min(CASE WHEN next_attempt_at <= ? THEN next_attempt_at END) AS oldest
    FROM deliveries WHERE status = 'pending'`);
  const disabled = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM endpoints WHERE disabled_at IS NOT NULL');
  return {
    async queueStats(now: number): Promise<QueueStats> {
      const row = pending.get(now, now, now);
      return {
        due: row?.due ?? 0,
        scheduled: row?.scheduled ?? 0,
        oldestDueAt: row?.oldest ?? null,
        disabledEndpoints: disabled.get()?.n ?? 0,
      };
    },
  };
}
