/**
 * A bounded in-process cache whose entries live a fixed time: what one process keeps of store rows that another
 * process sharing the database may change, so the change shows within `ttlMs`.
 */
import { setNewest } from './bounded-map.js';

export class TtlCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();
  /** Loads under way: callers that miss together share one (a burst of attempts to an endpoint reads its row once). */
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    /** Keys named by requests (ingest URLs, event types) must not grow the cache without end. */
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  /** The value cached for `key` within the last `ttlMs`, else what `load` gives (kept unless it throws). */
  async get(key: K, load: () => V | Promise<V>): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const running = this.loading.get(key);
    if (running) return running;
    const loaded = (async () => load())();
    this.loading.set(key, loaded);
    try {
      const value = await loaded;
      // Dropped while it loaded: what it read may predate the change, so it is not kept.
      if (this.loading.get(key) === loaded) setNewest(this.entries, key, { at: now, value }, this.maxEntries);
      return value;
    } finally {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    }
  }

  /** Drops `key` at once, after this process changed what it caches; a load under way for it is not kept. */
  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
