/**
 * Retention: old attempts go, old finished messages lose their payload, old finished recovery jobs go; one short write
 * transaction per call.
 */
import type Database from 'better-sqlite3';
import type { HistoryMaintenance, PurgeInput, PurgeResult } from '../ops-store.js';

export function retentionQueries(db: Database.Database) {
  const deleteAttempts = db.prepare<{ cutoff: number; limit: number }>(`
    DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE started_at < @cutoff LIMIT @limit)`);
  // A message with a pending delivery keeps its payload: that delivery still has to send it.
  const dropPayloads = db.prepare<{ cutoff: number; limit: number }>(`
    UPDATE messages SET payload = '' WHERE id IN (
      SELECT m.id FROM messages m
      WHERE m.created_at < @cutoff AND m.payload <> ''
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
      LIMIT @limit)`);

  const deleteRecoveryRecords = db.prepare<{ cutoff: number; limit: number }>(`
    DELETE FROM recovery_deliveries WHERE (job_id, delivery_id) IN (
      SELECT r.job_id, r.delivery_id FROM recovery_jobs j JOIN recovery_deliveries r ON r.job_id = j.id
      WHERE j.finished_at < @cutoff LIMIT @limit)`);
  const deleteRecoveryJobs = db.prepare<{ cutoff: number }>(`
    DELETE FROM recovery_jobs WHERE finished_at < @cutoff
      AND NOT EXISTS (SELECT 1 FROM recovery_deliveries r WHERE r.job_id = recovery_jobs.id)`);

  const purge = db.transaction((input: PurgeInput): PurgeResult => {
    const result = {
      attempts: deleteAttempts.run(input).changes,
      messages: dropPayloads.run(input).changes,
      recoveryRecords: deleteRecoveryRecords.run(input).changes,
    };
    deleteRecoveryJobs.run({ cutoff: input.cutoff });
    return result;
  });

  return {
    // One table per kind of row, no partitions: the row-wise purge does all the work.
    async maintainHistory(): Promise<HistoryMaintenance> {
      return { made: [], dropped: [], kept: [] };
    },
    // A SQLite store is served by one process: no other one runs retention on it.
    async retentionExclusive<T>(run: () => Promise<T>): Promise<T | null> {
      return run();
    },
    async purgeBefore(input: PurgeInput): Promise<PurgeResult> {
      return purge.immediate({ cutoff: input.cutoff, limit: input.limit });
    },
  };
}
