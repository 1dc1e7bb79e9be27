/** Runs the contract against a real Redis at 127.0.0.1:6379; every run has its own key prefix and deletes its keys after. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisIdempotencyStore } from '../../src/idempotency/redis.js';
import { sleep } from '../support.js';
import { idempotencyContract, unavailable } from './contract.js';

const REDIS_URL = process.env.HOOKD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `hookd-sdk-test:${randomUUID()}:`;

async function connect(): Promise<Redis | string> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    return unavailable(`Redis at ${REDIS_URL}`, error);
  }
}

async function deleteKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

const connected = await connect();
const client = typeof connected === 'string' ? null : connected;
after(async () => {
  if (!client) return;
  await deleteKeys(client, `${runPrefix}*`);
  await client.quit();
});

let n = 0;
idempotencyContract(
  'Redis',
  async () => {
    const prefix = `${runPrefix}${n++}:`;
    const store = redisIdempotencyStore({ client: client!, prefix });
    return { store, passTime: sleep, close: async () => store.close?.() };
  },
  typeof connected === 'string' ? { skip: connected } : {},
);

test('the Redis store writes under its prefix with the TTL as PX', {
  skip: typeof connected === 'string' ? connected : false,
}, async () => {
  const prefix = `${runPrefix}px:`;
  const store = redisIdempotencyStore({ client: client!, prefix });
  assert.equal(await store.claim('dlv_1', 5_000), true);
  const ttl = await client!.pttl(`${prefix}dlv_1`);
  assert.ok(ttl > 4_000 && ttl <= 5_000, `PTTL ${ttl} should be just under 5000`);
  await store.release('dlv_1');
  assert.equal(await client!.exists(`${prefix}dlv_1`), 0);
});
