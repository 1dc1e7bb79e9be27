/**
 * Rate limiting per source address: a token bucket per key behind a small store interface, so
 * several processes can share one (Redis, …). The in-memory store forgets the least recently seen keys past its bound.
 */
import { ReceiverConfigError } from './errors.js';

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimitStore {
  /** Takes one token from `key`'s bucket at `now` (Unix ms); refused with how long until a token is back. */
  take(key: string, now: number): Promise<RateLimitDecision> | RateLimitDecision;
  close?(): Promise<void>;
}

export interface MemoryRateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: requests allowed at once. */
  burst: number;
  /** Keys tracked at most; default 10 000. A forgotten key starts again with a full bucket. */
  maxKeys?: number;
}

export const DEFAULT_MAX_TRACKED_IPS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export function memoryRateLimitStore(options: MemoryRateLimitOptions): RateLimitStore {
  const { perSecond, burst } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_TRACKED_IPS;
  if (!(Number.isFinite(perSecond) && perSecond > 0)) {
    throw new ReceiverConfigError('rate_limit_invalid', `rateLimit.perSecond must be a positive number, got ${perSecond}`);
  }
  if (!(Number.isFinite(burst) && burst >= 1)) {
    throw new ReceiverConfigError('rate_limit_invalid', `rateLimit.burst must be 1 or more, got ${burst}`);
  }
  if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) {
    throw new ReceiverConfigError('rate_limit_invalid', `rateLimit.maxTrackedIps must be a positive integer, got ${maxKeys}`);
  }
  // A Map keeps insertion order: re-inserting on each use makes the first key the least recently seen.
  const buckets = new Map<string, Bucket>();

  return {
    take(key, now) {
      const previous = buckets.get(key);
      buckets.delete(key);
      const elapsed = previous === undefined ? 0 : Math.max(0, now - previous.at);
      const tokens = previous === undefined ? burst : Math.min(burst, previous.tokens + (elapsed * perSecond) / 1000);
      const allowed = tokens >= 1;
      buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      return allowed ? { allowed } : { allowed, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / perSecond) };
    },
    async close() {
      buckets.clear();
    },
  };
}
