import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyEqual, readHeader } from './bytes.js';

test('anyEqual finds a match wherever it sits, and only an exact one', () => {
  assert.equal(anyEqual(['abc'], ['abc']), true);
  assert.equal(anyEqual(['abc', 'def'], ['xyz', 'def']), true);
  assert.equal(anyEqual(['abc'], ['abd', 'ab', 'abcd', 'ABC', '']), false);
  assert.equal(anyEqual([], ['abc']), false);
  assert.equal(anyEqual(['abc'], []), false);
  // Compared as UTF-8 bytes, so a character that only shares its low byte is no match.
  assert.equal(anyEqual(['A'], ['\u0141']), false);
});

test('readHeader finds a header whatever its case, and joins repeated values', () => {
  assert.equal(readHeader({ 'x-a': '1' }, 'x-a'), '1');
  assert.equal(readHeader({ 'X-A': '1' }, 'x-a'), '1');
  assert.equal(readHeader({ 'x-a': '1' }, 'X-A'), '1');
  assert.equal(readHeader({ 'x-a': ['1', '2'] }, 'x-a'), '1, 2');
  assert.equal(readHeader(new Headers({ 'X-A': '1' }), 'x-a'), '1');
  assert.equal(readHeader({}, 'x-a'), undefined);
});
