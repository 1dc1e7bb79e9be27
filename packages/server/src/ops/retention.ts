/**
 * The retention loop: every interval, purges what is older than the retention age, in small batches with a
 * pause between them, so a large backlog of old rows never holds up delivery for long.
 */
import type { Logger } from 'pino';
import type { Timers } from '../domain/index.js';
import type { OpsStore, PurgeResult } from '../store/index.js';
import { Periodic } from './periodic.js';

export interface RetentionDeps {
  store: Pick<OpsStore, 'purgeBefore' | 'purgeAuditLog'> & Partial<Pick<OpsStore, 'maintainHistory' | 'retentionExclusive'>>;
  /** Attempts, and payloads of finished messages, older than this are purged. */
  maxAgeMs: number;
  /** Audit log entries older than this are deleted: a setting of its own, as audits keep records longer. */
  auditMaxAgeMs: number;
  intervalMs: number;
  logger: Logger;
  clock: () => number;
  /** The timers for the interval and the pauses; the global ones unless a test drives time. */
  timers?: Timers;
  /** Rows of each kind one batch (one transaction) purges. */
  batchSize?: number;
  /** Rest between two batches, leaving the database to the delivery loop. */
  pauseMs?: number;
}

const DEFAULT_BATCH_SIZE = 500;
/** Days after today whose history partitions exist before any row needs them (PostgreSQL). */
const DAYS_AHEAD = 3;
const DEFAULT_PAUSE_MS = 50;

export class RetentionLoop {
  private readonly periodic: Periodic;

  constructor(private readonly deps: RetentionDeps) {
    const failure = 'retention purge failed; trying again at the next interval';
    const { intervalMs, logger, timers } = deps;
    this.periodic = new Periodic(() => this.purge(), { intervalMs, logger, failure, timers });
  }

  /** Purges at once, then every interval, until stopped. */
  start(): void {
    this.periodic.start();
  }

  /** Stops after the batch in progress, if any; resolves once the loop has ended. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /**
   * One pass, unless another process is running one (then null): makes the coming days' partitions and drops the
   * days wholly past the cutoff, then purges batch after batch until one comes back short (nothing older is left) or
   * the loop stops. Store errors reach the caller.
   */
  async purge(): Promise<PurgeResult | null> {
    const { store } = this.deps;
    if (!store.retentionExclusive) return this.purgeAlone();
    const result = await store.retentionExclusive(() => this.purgeAlone());
    if (result === null) this.deps.logger.debug('retention is running in another process; skipped this pass');
    return result;
  }

  private async purgeAlone(): Promise<PurgeResult> {
    const { store, clock, maxAgeMs } = this.deps;
    const limit = this.deps.batchSize ?? DEFAULT_BATCH_SIZE;
    // One cutoff for the whole pass: rows that age while it runs wait for the next one.
    const cutoff = clock() - maxAgeMs;
    const total: PurgeResult = { attempts: 0, messages: 0, recoveryRecords: 0 };
    const history = await store.maintainHistory?.({ now: clock(), cutoff, daysAhead: DAYS_AHEAD }).catch((error: unknown) => {
      // A table lock it could not get at once (see partitions.ts): rows go to the default partition meanwhile.
      this.deps.logger.warn({ err: error }, 'history partitions were not maintained this pass; the next pass tries again');
      return null;
    });
    if (history && (history.made.length > 0 || history.dropped.length > 0 || history.kept.length > 0)) {
      this.deps.logger.info(
        { madePartitions: history.made, droppedPartitions: history.dropped, keptWithPending: history.kept },
        'retention made and dropped history partitions',
      );
    }
    for (;;) {
      const batch = await store.purgeBefore({ cutoff, limit });
      total.attempts += batch.attempts;
      total.messages += batch.messages;
      total.recoveryRecords += batch.recoveryRecords;
      if (batch.attempts < limit && batch.messages < limit && batch.recoveryRecords < limit) break;
      await this.periodic.sleep(this.deps.pauseMs ?? DEFAULT_PAUSE_MS);
      if (this.periodic.stopping) break;
    }
    if (total.attempts > 0 || total.messages > 0 || total.recoveryRecords > 0) {
      this.deps.logger.info(
        {
          purgedAttempts: total.attempts,
          purgedPayloads: total.messages,
          purgedRecoveryRecords: total.recoveryRecords,
          cutoff: new Date(cutoff).toISOString(),
        },
        'retention purged old attempts, payloads and recovery jobs',
      );
    }
    await this.purgeAuditLog(limit);
    return total;
  }

  private async purgeAuditLog(limit: number): Promise<void> {
    const cutoff = this.deps.clock() - this.deps.auditMaxAgeMs;
    let deleted = 0;
    for (;;) {
      const batch = await this.deps.store.purgeAuditLog({ cutoff, limit });
      deleted += batch;
      if (batch < limit || this.periodic.stopping) break;
      await this.periodic.sleep(this.deps.pauseMs ?? DEFAULT_PAUSE_MS);
    }
    if (deleted > 0) {
      this.deps.logger.info(
        { purgedAuditEntries: deleted, cutoff: new Date(cutoff).toISOString() },
        'retention purged old audit entries',
      );
    }
  }
}
