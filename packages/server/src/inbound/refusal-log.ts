/**
 * Refusals counted in memory and written to their sources in batches: a flood of forged requests costs one write
 * per source and interval, not one per request. What is not yet written is lost if the process dies (counts only;
 * nothing refused is ever kept or forwarded).
 */
import type { Logger } from 'pino';
import type { SourceRefusal } from '../domain/index.js';
import { type AdminStore, RECENT_REFUSALS_KEPT, type SourceRefusalCount } from '../store/index.js';

export class RefusalLog {
  private pending = new Map<string, SourceRefusalCount>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<AdminStore, 'recordSourceRefusals'>,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  add(sourceId: string, refusal: SourceRefusal): void {
    const counted = this.pending.get(sourceId);
    if (counted) {
      counted.count++;
      if (refusal.at >= counted.last.at) counted.last = refusal;
      // The latest ones only: a flood keeps a bounded list in memory, as the store keeps a bounded one.
      counted.recent ??= [];
      counted.recent.push(refusal);
      if (counted.recent.length > RECENT_REFUSALS_KEPT) counted.recent.shift();
    } else {
      this.pending.set(sourceId, { sourceId, count: 1, last: refusal, recent: [refusal] });
    }
  }

  /** Writes what was counted since the last write; one flush at a time, so counts are never written twice. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.store.recordSourceRefusals(batch);
      } catch (error) {
        // Counted again with what comes next, so a store outage loses no count while the process lives.
        for (const c of batch) this.merge(c);
        this.logger.warn({ err: error, sources: batch.length }, 'recording refusals failed; retrying with the next batch');
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private merge(c: SourceRefusalCount): void {
    const counted = this.pending.get(c.sourceId);
    if (!counted) {
      this.pending.set(c.sourceId, c);
      return;
    }
    counted.count += c.count;
    if (c.last.at > counted.last.at) counted.last = c.last;
    counted.recent = [...(c.recent ?? []), ...(counted.recent ?? [])].slice(-RECENT_REFUSALS_KEPT);
  }
}
