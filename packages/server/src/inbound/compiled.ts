/**
 * What ingest needs of a source, prepared once and cached: the record, its parsed allowlist, its rate bucket and
 * its compiled schema. Entries live CACHE_TTL_MS, so a change made by another process sharing a PostgreSQL
 * database applies within that time; this process forgets a source at once when it changes it.
 */
import { memoryRateLimitStore, type RateLimitStore } from '@hookd/sdk/receiver';
import type { ValidateFunction } from 'ajv';
import { compileJsonSchema, type Network, type Source, TtlCache } from '../domain/index.js';
import type { AdminStore as Store } from '../store/index.js';
import { parseAllowlist } from './allowlist.js';

const CACHE_TTL_MS = 5_000;
/** Ingest URLs naming sources that do not exist must not grow the cache without end. */
const MAX_CACHED = 10_000;

export interface CompiledSource {
  source: Source;
  allowlist: Network[];
  /** Verified requests. Per process: with several API processes, each lets the full rate through. */
  rateLimit: RateLimitStore | null;
  /**
   * Refused requests (not allowed, not verified), at the same rate but apart: a flood of forgeries cannot spend what
   * the provider's signed requests need, and past this bound it is answered 429 at once.
   */
  refusalLimit: RateLimitStore | null;
  validate: ValidateFunction | null;
}

export class SourceCache {
  private readonly entries: TtlCache<string, CompiledSource | null>;
  /** Rate buckets outlive cache entries, so refreshing a source does not refill its bucket. */
  private readonly buckets = new Map<string, { key: string; verified: RateLimitStore; refused: RateLimitStore }>();

  constructor(
    private readonly store: Store,
    clock: () => number,
  ) {
    this.entries = new TtlCache(CACHE_TTL_MS, MAX_CACHED, clock);
  }

  /** The source named by id or name in an ingest URL; null when there is none. */
  get(idOrName: string): Promise<CompiledSource | null> {
    return this.entries.get(idOrName, async () => {
      const source = await this.store.findSource(idOrName);
      return source ? this.compile(source) : null;
    });
  }

  /** Drops what is cached for a source after it changed or was deleted. */
  forget(source: Pick<Source, 'id' | 'name'>): void {
    this.entries.delete(source.id);
    this.entries.delete(source.name);
    this.buckets.delete(source.id);
  }

  private compile(source: Source): CompiledSource {
    const buckets = this.bucket(source);
    return {
      source,
      allowlist: parseAllowlist(source.allowIps),
      rateLimit: buckets?.verified ?? null,
      refusalLimit: buckets?.refused ?? null,
      validate: source.schema === null ? null : compileJsonSchema(source.schema),
    };
  }

  private bucket(source: Source): { verified: RateLimitStore; refused: RateLimitStore } | null {
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
