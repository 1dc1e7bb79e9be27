/** Queue figures for metrics, read in one statement over the pending deliveries. */
import type { QueueStats } from '../ops-store.js';
import { dueRow } from './claim.js';
import type { Queryable } from './pool.js';

// Leased deliveries count as scheduled (they come due again only if their lease runs out), as they did when a lease
// moved next_attempt_at to its end.
const DUE = dueRow('', '$1');
const QUEUE_STATS = `
  SELECT count(*) FILTER (WHERE ${DUE})::int AS due,
    count(*) FILTER (WHERE NOT (${DUE}))::int AS scheduled,
    min(next_attempt_at) FILTER (WHERE ${DUE}) AS oldest,
    (SELECT count(*) FROM endpoints WHERE disabled_at IS NOT NULL)::int AS disabled
  FROM deliveries WHERE status = 'pending'`;

export async function queueStats(db: Queryable, now: number): Promise<QueueStats> {
  const { rows } = await db.query<{ due: number; scheduled: number; oldest: number | null; disabled: number }>(QUEUE_STATS, [
    now,
  ]);
  const row = rows[0];
  return {
    due: row?.due ?? 0,
    scheduled: row?.scheduled ?? 0,
    oldestDueAt: row?.oldest ?? null,
    disabledEndpoints: row?.disabled ?? 0,
  };
}
