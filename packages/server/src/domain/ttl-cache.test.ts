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

test('callers that miss together share one load; one that fails fails them all and leaves nothing cached', async () => {
  const cache = new TtlCache<string, number>(5000, 10, () => 0);
  let loads = 0;
  let finish: (value: number) => void = () => {};
  const load = () => {
    loads++;
    return new Promise<number>((resolve) => {
      finish = resolve;
    });
  };
  const burst = Promise.all([cache.get('a', load), cache.get('a', load), cache.get('a', load)]);
  finish(7);
  assert.deepEqual(await burst, [7, 7, 7]);
  assert.equal(loads, 1);

  const failing = () => Promise.reject(new Error('store away'));
  const both = await Promise.allSettled([cache.get('b', failing), cache.get('b', failing)]);
  assert.deepEqual(
    both.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal(await cache.get('b', () => 3), 3, 'the failure was not kept');
});

test('a value loaded while its key was deleted is handed to its callers but not kept', async () => {
  const cache = new TtlCache<string, string>(5000, 10, () => 0);
  let finish: (value: string) => void = () => {};
  const stale = cache.get('a', () => new Promise<string>((resolve) => (finish = resolve)));
  cache.delete('a');
  finish('before the change');
  assert.equal(await stale, 'before the change');
  assert.equal(await cache.get('a', () => 'after the change'), 'after the change');
});
