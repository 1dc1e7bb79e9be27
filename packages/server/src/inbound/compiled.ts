/**
 * What ingest needs of a source, prepared once and cached: the record and its receiver (the SDK's pipeline, built
 * with the source's allowlist, scheme, rate and schema). Entries live CACHE_TTL_MS, so a change made by another
 * process sharing a PostgreSQL database applies within that time; this process forgets a source at once when it
 * changes it.
 */
import { memoryRateLimitStore, type RateLimitStore, type ReceiverCore } from '@hookd/sdk/receiver';
import { type Source, TtlCache } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';

const CACHE_TTL_MS = 5_000;
/** Ingest URLs naming sources that do not exist must not grow the cache without end. */
const MAX_CACHED = 10_000;

export interface CompiledSource {
  source: Source;
  receiver: ReceiverCore;
}

/**
 * A source's two buckets: verified requests, and refused ones apart (so forgeries cannot spend the provider's
 * share). Per process: with several API processes, each lets the full rate through.
 */
export interface SourceBuckets {
  verified: RateLimitStore;
  refused: RateLimitStore;
}

export type ReceiverFactory = (source: Source, buckets: SourceBuckets | null) => ReceiverCore;

export class SourceCache {
  private readonly entries: TtlCache<string, CompiledSource | null>;
  /** Rate buckets outlive cache entries, so refreshing a source does not refill its bucket. */
  private readonly buckets = new Map<string, SourceBuckets & { key: string }>();

  constructor(
    private readonly store: Pick<AdminStore, 'findSource'>,
    clock: () => number,
    private readonly receiverFor: ReceiverFactory,
  ) {
    this.entries = new TtlCache(CACHE_TTL_MS, MAX_CACHED, clock);
  }

  /** The source named by id or name in an ingest URL; null when there is none. */
  get(idOrName: string): Promise<CompiledSource | null> {
    return this.entries.get(idOrName, async () => {
      const source = await this.store.findSource(idOrName);
      return source ? { source, receiver: this.receiverFor(source, this.bucket(source)) } : null;
    });
  }

  /** Drops what is cached for a source after it changed or was deleted. */
  forget(source: Pick<Source, 'id' | 'name'>): void {
    this.entries.delete(source.id);
    this.entries.delete(source.name);
    this.buckets.delete(source.id);
  }

  private bucket(source: Source): SourceBuckets | null {
    if (source.rateLimit === null) return null;
    const key = `${source.rateLimit.perSecond}/${source.rateLimit.burst}`;
    const kept = this.buckets.get(source.id);
    if (kept?.key === key) return kept;
    const made = {
      key,
      verified: memoryRateLimitStore({ ...source.rateLimit, maxKeys: 1 }),
      refused: memoryRateLimitStore({ ...source.rateLimit, maxKeys: 1 }),
    };
    this.buckets.set(source.id, made);
    return made;
  }
}
