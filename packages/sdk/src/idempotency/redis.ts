/**
 * An idempotency store in Redis, for receivers on several hosts. A claim is `SET key 1 PX ttl NX`:
 * Redis sets it only when absent and expires it by itself.
 */
import { assertTtl } from './ttl.js';
import type { IdempotencyStore } from './types.js';

/** The two ioredis calls used; an ioredis `Redis` or `Cluster` fits. */
export interface RedisIdempotencyClient {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<string | null>;
  del(key: string): Promise<number>;
}

export interface RedisIdempotencyOptions {
  /** Connected by the caller, who also closes it: `close()` leaves it open. */
  client: RedisIdempotencyClient;
  /** Put before every key. Default `hookd:idempotency:`. */
  prefix?: string;
}

export function redisIdempotencyStore(options: RedisIdempotencyOptions): IdempotencyStore {
  const { client } = options;
  const prefix = options.prefix ?? 'hookd:idempotency:';
  return {
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      // PX takes whole milliseconds; rounding up never shortens the hold.
      return (await client.set(prefix + key, '1', 'PX', Math.ceil(ttlMs), 'NX')) === 'OK';
    },
    async release(key) {
      await client.del(prefix + key);
    },
  };
}
