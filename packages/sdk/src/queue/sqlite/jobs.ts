/** The queue's SQL, one named operation each, prepared once per database. */
import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../../sqlite-driver.js';
import type { ClaimedJob, JobStorage } from '../job-storage.js';
import type { DeadLetter, ReceivedWebhook } from '../types.js';
import { DEAD_LETTERS_TABLE as DEAD, JOBS_TABLE as JOBS } from './schema.js';
import { inImmediateTransaction } from './transaction.js';

const WEBHOOK_COLUMNS = 'job_id, webhook_id, type, body, headers, received_at';

interface WebhookRow {
  job_id: string;
  webhook_id: string;
  type: string | null;
  body: string;
  headers: string;
  received_at: number;
}
interface ClaimedRow extends WebhookRow {
  seq: number;
  attempts: number;
  lease_id: string;
}
interface DeadLetterRow extends WebhookRow {
  attempts: number;
  last_error: string;
  failed_at: number;
}

export function sqliteJobStorage(db: SqliteDatabase): JobStorage {
  const insertJob = db.prepare(
    `INSERT INTO ${JOBS} (${WEBHOOK_COLUMNS}, attempts, run_at) VALUES (@job_id, @webhook_id, @type, @body, @headers, @received_at, 0, @run_at)`,
  );
  // A job still due after its last attempt was leased: that process died mid-attempt.
  const deadLetterAbandoned = db.prepare(
    `INSERT INTO ${DEAD} (${WEBHOOK_COLUMNS}, attempts, last_error, failed_at)
     SELECT ${WEBHOOK_COLUMNS}, attempts, 'the lease of the last attempt expired: its process stopped before finishing', @now
     FROM ${JOBS} WHERE run_at <= @now AND attempts >= @max_attempts`,
  );
  const deleteAbandoned = db.prepare(`DELETE FROM ${JOBS} WHERE run_at <= @now AND attempts >= @max_attempts`);
  const leaseDue = db.prepare(
    `UPDATE ${JOBS} SET attempts = attempts + 1, run_at = @lease_until, lease_id = @lease_id
     WHERE seq IN (SELECT seq FROM ${JOBS} WHERE run_at <= @now ORDER BY run_at, seq LIMIT @limit)
     RETURNING seq, ${WEBHOOK_COLUMNS}, attempts, lease_id`,
  );
  const deleteLeased = db.prepare(`DELETE FROM ${JOBS} WHERE job_id = ? AND lease_id = ?`);
  const reschedule = db.prepare(
    `UPDATE ${JOBS} SET run_at = ?, lease_id = NULL, last_error = ? WHERE job_id = ? AND lease_id = ?`,
  );
  const moveLeasedToDead = db.prepare(
    `INSERT INTO ${DEAD} (${WEBHOOK_COLUMNS}, attempts, last_error, failed_at)
     SELECT ${WEBHOOK_COLUMNS}, attempts, @error, @failed_at FROM ${JOBS} WHERE job_id = @job_id AND lease_id = @lease_id`,
  );
  const extend = db.prepare(`UPDATE ${JOBS} SET run_at = ? WHERE job_id = ? AND lease_id = ?`);
  const earliestRunAt = db.prepare(`SELECT MIN(run_at) AS run_at FROM ${JOBS}`);
  const selectDead = db.prepare(
    `SELECT ${WEBHOOK_COLUMNS}, attempts, last_error, failed_at FROM ${DEAD} ORDER BY failed_at, job_id LIMIT ?`,
  );
  // The ids travel as one JSON array, so any number of them fits one statement.
  const deadFilter = `job_id IN (SELECT value FROM json_each(@ids))`;
  const requeueDead = (filtered: boolean) =>
    db.prepare(
      `INSERT INTO ${JOBS} (${WEBHOOK_COLUMNS}, attempts, run_at)
       SELECT ${WEBHOOK_COLUMNS}, 0, @now FROM ${DEAD} ${filtered ? `WHERE ${deadFilter}` : ''} ORDER BY failed_at, job_id`,
    );
  const requeueAll = requeueDead(false);
  const requeueSome = requeueDead(true);
  const deleteAllDead = db.prepare(`DELETE FROM ${DEAD}`);
  const deleteSomeDead = db.prepare(`DELETE FROM ${DEAD} WHERE ${deadFilter}`);

  return {
    addJob(jobId, webhook, runAt) {
      insertJob.run({ ...toWebhookRow(jobId, webhook), run_at: runAt });
    },

    claimDueJobs({ now, limit, leaseUntil, maxAttempts }) {
      return inImmediateTransaction(db, () => {
        deadLetterAbandoned.run({ now, max_attempts: maxAttempts });
        deleteAbandoned.run({ now, max_attempts: maxAttempts });
        const rows = leaseDue.all({ now, limit, lease_until: leaseUntil, lease_id: randomUUID() }) as ClaimedRow[];
        // RETURNING promises no order; hand jobs out oldest first.
        return rows
          .sort((a, b) => a.seq - b.seq)
          .map((row) => ({ jobId: row.job_id, leaseId: row.lease_id, attempt: row.attempts, webhook: toWebhook(row) }));
      });
    },

    completeJob(job) {
      return deleteLeased.run(job.jobId, job.leaseId).changes === 1;
    },

    rescheduleJob(job, runAt, error) {
      return reschedule.run(runAt, error, job.jobId, job.leaseId).changes === 1;
    },

    deadLetterJob(job, error, failedAt) {
      return inImmediateTransaction(db, () => {
        const moved = moveLeasedToDead.run({ error, failed_at: failedAt, job_id: job.jobId, lease_id: job.leaseId }).changes;
        if (moved === 0) return false;
        deleteLeased.run(job.jobId, job.leaseId);
        return true;
      });
    },

    extendLease(job: ClaimedJob, leaseUntil: number) {
      return extend.run(leaseUntil, job.jobId, job.leaseId).changes === 1;
    },

    nextRunAt() {
      const row = earliestRunAt.get() as { run_at: number | null } | undefined;
      return row?.run_at ?? null;
    },

    listDeadLetters(limit) {
      return (selectDead.all(limit) as DeadLetterRow[]).map(toDeadLetter);
    },

    replayDeadLetters(jobIds, now) {
      return inImmediateTransaction(db, () => {
        if (jobIds === undefined) {
          const moved = requeueAll.run({ now }).changes;
          deleteAllDead.run();
          return moved;
        }
        const ids = JSON.stringify(jobIds);
        const moved = requeueSome.run({ now, ids }).changes;
        deleteSomeDead.run({ ids });
        return moved;
      });
    },
  };
}

function toWebhookRow(jobId: string, webhook: ReceivedWebhook): WebhookRow {
  return {
    job_id: jobId,
    webhook_id: webhook.id,
    type: webhook.type,
    body: webhook.body,
    headers: JSON.stringify(webhook.headers),
    received_at: webhook.receivedAt,
  };
}

function toWebhook(row: WebhookRow): ReceivedWebhook {
  return {
    id: row.webhook_id,
    type: row.type,
    body: row.body,
    headers: JSON.parse(row.headers) as Record<string, string>,
    receivedAt: row.received_at,
  };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    jobId: row.job_id,
    webhook: toWebhook(row),
    attempts: row.attempts,
    lastError: row.last_error,
    failedAt: row.failed_at,
  };
}
