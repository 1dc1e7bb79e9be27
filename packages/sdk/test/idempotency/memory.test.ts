import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryIdempotencyStore } from '../../src/idempotency/memory.js';
import { manualClock } from '../support.js';
import { idempotencyContract } from './contract.js';

idempotencyContract('memory', async () => {
  const clock = manualClock();
  const store = memoryIdempotencyStore({ clock: clock.now });
  return { store, passTime: async (ms) => clock.advance(ms), close: async () => store.close?.() };
});

test('the memory store holds at most maxKeys and evicts the oldest claim first', async () => {
  const clock = manualClock();
  const store = memoryIdempotencyStore({ maxKeys: 3, clock: clock.now });
  for (const k of ['a', 'b', 'c']) assert.equal(await store.claim(k, 60_000), true);
  assert.equal(await store.claim('d', 60_000), true); // evicts a
  assert.equal(await store.claim('b', 60_000), false, 'b is still held');
  assert.equal(await store.claim('c', 60_000), false, 'c is still held');
  assert.equal(await store.claim('d', 60_000), false, 'd is still held');
  assert.equal(await store.claim('a', 60_000), true, 'a was evicted, so it can be claimed again');
  // Now a is the newest; b is the oldest and goes next.
  assert.equal(await store.claim('e', 60_000), true);
  assert.equal(await store.claim('b', 60_000), true, 'b was evicted by e');
});

test('a re-claimed expired key counts as the newest for eviction', async () => {
  const clock = manualClock();
  const store = memoryIdempotencyStore({ maxKeys: 2, clock: clock.now });
  assert.equal(await store.claim('a', 10), true);
  assert.equal(await store.claim('b', 60_000), true);
  clock.advance(20);
  assert.equal(await store.claim('a', 60_000), true); // a expired: taken again, now newer than b
  assert.equal(await store.claim('c', 60_000), true); // evicts b, the oldest live claim
  assert.equal(await store.claim('a', 60_000), false);
  assert.equal(await store.claim('b', 60_000), true);
});

test('maxKeys must be a positive integer', () => {
  assert.throws(() => memoryIdempotencyStore({ maxKeys: 0 }), RangeError);
  assert.throws(() => memoryIdempotencyStore({ maxKeys: 1.5 }), RangeError);
});
