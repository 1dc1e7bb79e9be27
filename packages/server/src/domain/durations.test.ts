import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './durations.js';

test('durations are read in ms, s, m, h and d; a bare number is milliseconds', () => {
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('250'), 250);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('3d'), 259_200_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration(' 1m '), 60_000, 'surrounding spaces are ignored');
});

test('anything else is null, not a guess', () => {
  for (const text of ['', '5 minutes', '5M', '-1s', '1w', 's', '1e3', '0x10']) assert.equal(parseDuration(text), null, text);
});
