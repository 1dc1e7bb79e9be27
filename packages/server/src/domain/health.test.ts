import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoDisableReason, healthWindow, nextFailingSince, percentileRank } from './health.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

test('the first failure opens a run, later failures keep its start, a success clears it', () => {
  assert.equal(nextFailingSince(null, false, T0), T0);
  assert.equal(nextFailingSince(T0, false, T0 + 10), T0);
  assert.equal(nextFailingSince(T0, true, T0 + 20), null);
  assert.equal(nextFailingSince(null, true, T0 + 30), null);
});

test('an endpoint is disabled once it has failed for disableAfter without a success, not a moment before', () => {
  assert.equal(autoDisableReason(T0, T0 + 5 * DAY - 1, 5 * DAY), null);
  assert.equal(autoDisableReason(T0, T0 + 5 * DAY, 5 * DAY), 'failed without a success since 2026-01-01T00:00:00.000Z');
  assert.equal(autoDisableReason(null, T0 + 50 * DAY, 5 * DAY), null, 'not failing');
  assert.equal(autoDisableReason(T0, T0 + 50 * DAY, undefined), null, 'no limit set');
});

test('percentiles use the nearest rank', () => {
  assert.equal(percentileRank(1, 0.95), 1);
  assert.equal(percentileRank(10, 0.5), 5);
  assert.equal(percentileRank(10, 0.95), 10);
  assert.equal(percentileRank(20, 0.95), 19);
  assert.equal(percentileRank(3, 0), 1);
});

test('a window without attempts has no success rate', () => {
  assert.equal(healthWindow(0, 0, null, null).successRate, null);
  assert.equal(healthWindow(4, 3, 10, 20).successRate, 0.75);
});
