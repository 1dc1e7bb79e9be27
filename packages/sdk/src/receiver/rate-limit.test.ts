import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryRateLimitStore } from './rate-limit.js';

test('a full bucket allows the burst, then refuses with the time until the next token', async () => {
  const store = memoryRateLimitStore({ perSecond: 2, burst: 3 });
  for (let i = 0; i < 3; i++) assert.deepEqual(await store.take('a', 0), { allowed: true });
  assert.deepEqual(await store.take('a', 0), { allowed: false, retryAfterMs: 500 });
  assert.deepEqual(await store.take('a', 200), { allowed: false, retryAfterMs: 300 });
  assert.deepEqual(await store.take('a', 500), { allowed: true });
  assert.deepEqual(await store.take('b', 500), { allowed: true }, 'each key has its own bucket');
});

test('tokens refill at the rate up to the burst, not beyond', async () => {
  const store = memoryRateLimitStore({ perSecond: 1, burst: 2 });
  await store.take('a', 0);
  await store.take('a', 0);
  const allowedAfterLongPause = [];
  for (let i = 0; i < 3; i++) allowedAfterLongPause.push((await store.take('a', 60_000)).allowed);
  assert.deepEqual(allowedAfterLongPause, [true, true, false]);
});

test('past maxKeys the least recently seen key is forgotten (and starts over full)', async () => {
  const store = memoryRateLimitStore({ perSecond: 0.001, burst: 1, maxKeys: 2 });
  await store.take('a', 0);
  await store.take('b', 0);
  assert.equal((await store.take('a', 0)).allowed, false, 'a is still tracked and empty');
  await store.take('c', 0); // evicts b, the least recently seen
  assert.equal((await store.take('b', 0)).allowed, true);
  assert.equal((await store.take('a', 0)).allowed, true, 'a was evicted when b came back');
});
