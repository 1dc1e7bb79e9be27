/**
 * A bounded in-process cache whose entries live a fixed time: what one process keeps of store rows that another
 * process sharing the database may change, so the change shows within `ttlMs`.
 */
export class TtlCache<K, V> {
  // A Map keeps insertion order, and a refresh re-inserts: the first key is the oldest entry.
  private readonly entries = new Map<K, { at: number; value: V }>();

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
    const value = await load();
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { at: now, value });
    return value;
  }

  /** Drops `key` at once, after this process changed what it caches. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
