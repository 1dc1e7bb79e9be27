import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from './ttl-cache.js';

test('a cached value is served until ttlMs has passed, then loaded again', async () => {
  let now = 1000;
  let loads = 0;
  const cache = new TtlCache<string, number | null>(5000, 10, () => now);
  const load = () => (++loads === 1 ? null : loads);
  assert.equal(await cache.get('a', load), null, 'null is a value like any other');
  now += 4999;
  assert.equal(await cache.get('a', load), null);
  now += 1;
  assert.equal(await cache.get('a', load), 2);
  assert.equal(loads, 2);
});

test('delete forgets at once; a load that throws leaves nothing cached', async () => {
  const cache = new TtlCache<string, number>(5000, 10, () => 0);
  await cache.get('a', () => 1);
  cache.delete('a');
  assert.equal(await cache.get('a', () => 2), 2);
  await assert.rejects(
    cache.get('b', () => {
      throw new Error('no');
    }),
  );
  assert.equal(await cache.get('b', () => 3), 3);
});

test('past maxEntries the oldest entry goes first', async () => {
  let loads = 0;
  const cache = new TtlCache<string, number>(5000, 2, () => 0);
  const load = () => ++loads;
  await cache.get('a', load);
  await cache.get('b', load);
  await cache.get('c', load);
  assert.equal(cache.size, 2);
  assert.equal(await cache.get('b', load), 2, 'b kept');
  assert.equal(await cache.get('a', load), 4, 'a dropped');
});
