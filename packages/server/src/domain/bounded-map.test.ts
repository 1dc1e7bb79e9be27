import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setNewest } from './bounded-map.js';

test('setNewest keeps at most max entries, dropping the least recently set first', () => {
  const map = new Map<string, number>();
  const dropped: string[] = [];
  const set = (key: string, value: number) => setNewest(map, key, value, 3, (k) => dropped.push(k));
  set('a', 1);
  set('b', 2);
  set('c', 3);
  set('a', 4); // set again: now the newest, so b is the oldest
  set('d', 5);
  assert.deepEqual(
    [...map],
    [
      ['c', 3],
      ['a', 4],
      ['d', 5],
    ],
  );
  assert.deepEqual(dropped, ['b']);
  set('d', 6); // already there: nothing is dropped for it
  assert.deepEqual(dropped, ['b']);
  assert.equal(map.size, 3);
});

test('setNewest on a map already past max brings it back to max', () => {
  const map = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  setNewest(map, 'd', 4, 2);
  assert.deepEqual([...map.keys()], ['c', 'd']);
});
