/**
 * An in-process idempotency store: fine for one process, lost on restart.
 * A Map keeps insertion order, so the oldest claim is the first key and eviction is O(1).
 */
import { assertTtl } from './ttl.js';
import type { IdempotencyStore } from './types.js';

export interface MemoryIdempotencyOptions {
  /** Keys held at most; claiming past it drops the oldest claim. Default 100 000. */
  maxKeys?: number;
  /** Unix milliseconds; injected in tests. */
  clock?: () => number;
}

export const DEFAULT_MAX_KEYS = 100_000;

export function memoryIdempotencyStore(options: MemoryIdempotencyOptions = {}): IdempotencyStore {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
  const clock = options.clock ?? Date.now;
  const expiries = new Map<string, number>();

  function dropExpiredFromFront(now: number): void {
    // Cheap amortized clean-up: most keys share one TTL, so the oldest are the first to expire.
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > now) return;
      expiries.delete(key);
    }
  }

  return {
    // The body runs without an await, so no other claim can interleave: check and set are one step.
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      const now = clock();
      const expiresAt = expiries.get(key);
      if (expiresAt !== undefined && expiresAt > now) return false;
      expiries.delete(key); // re-inserted at the end: it is now the newest claim
      expiries.set(key, now + ttlMs);
      dropExpiredFromFront(now);
      while (expiries.size > maxKeys) {
        const oldest = expiries.keys().next().value as string;
        expiries.delete(oldest);
      }
      return true;
    },
    async release(key) {
      expiries.delete(key);
    },
    async close() {
      expiries.clear();
    },
  };
}
