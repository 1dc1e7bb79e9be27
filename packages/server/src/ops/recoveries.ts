/**
 * The recovery loop, beside the delivery worker: claims a running recovery job under a lease (one process at a time
 * runs a job; a job whose process died is taken over once its lease runs out) and runs it batch by batch, resting
 * between batches so publishes and deliveries keep the database. Looks for jobs every few seconds, and at once
 * when this process started one.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RecoveryJob, Timers } from '../domain/index.js';
import type { RecoveryStore } from '../store/index.js';
import { Periodic } from './periodic.js';

export interface RecoveryLoopDeps {
  store: Pick<RecoveryStore, 'claimRecovery' | 'runRecoveryBatch'>;
  /** A claim lasts this long unless a batch renews it. */
  leaseMs: number;
  /** Deliveries one batch (one transaction) looks at. */
  batchSize: number;
  /** Rest between two batches. */
  pauseMs: number;
  /** How often to look for jobs started by other processes; default 2 s. */
  intervalMs?: number;
  /** Wakes this process's worker when a batch re-queued deliveries. */
  onDeliveriesDue: () => void;
  logger: Logger;
  clock: () => number;
  timers?: Timers;
}

export class RecoveryLoop {
  private readonly periodic: Periodic;

  constructor(private readonly deps: RecoveryLoopDeps) {
    const failure = 'recovery job failed; its lease runs out and it is taken up again';
    const { logger, timers } = deps;
    this.periodic = new Periodic(() => this.runWaitingJobs(), { intervalMs: deps.intervalMs ?? 2_000, logger, failure, timers });
  }

  start(): void {
    this.periodic.start();
  }

  /** Stops after the batch in progress; the job's lease runs out and a process started later carries it on. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** A job was started here: look now. */
  wake(): void {
    this.periodic.wake();
  }

  /** Runs claimable jobs one after the other until none is left or the loop stops. */
  async runWaitingJobs(): Promise<void> {
    const leaseToken = randomUUID();
    while (!this.periodic.stopping) {
      const job = await this.deps.store.claimRecovery({ leaseToken, now: this.deps.clock(), leaseMs: this.deps.leaseMs });
      if (!job) return;
      await this.run(job, leaseToken);
    }
  }

  private async run(job: RecoveryJob, leaseToken: string): Promise<void> {
    const { store, logger, clock, leaseMs, batchSize } = this.deps;
    logger.info({ recoveryId: job.id, appId: job.appId, requeued: job.requeued, total: job.total }, 'recovery job running');
    for (;;) {
      const batch = await store.runRecoveryBatch({ jobId: job.id, leaseToken, now: clock(), leaseMs, limit: batchSize });
      if (batch.requeued > 0) this.deps.onDeliveriesDue();
      const now = batch.job;
      if (!batch.held || now?.status !== 'running') {
        const fields = { recoveryId: job.id, status: now?.status ?? 'deleted', requeued: now?.requeued, scanned: now?.scanned };
        logger.info(fields, batch.held ? 'recovery job completed' : 'recovery job stopped here (cancelled or taken over)');
        return;
      }
      if (this.periodic.stopping) return;
      await this.periodic.sleep(this.deps.pauseMs);
    }
  }
}
