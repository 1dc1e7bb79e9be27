import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCHEDULE_MS, nextRetryDelay, parseRetryAfter } from './retry.js';

const policy = { scheduleMs: DEFAULT_SCHEDULE_MS, jitter: 0.2 };
const middle = () => 0.5;

test('the default schedule is immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => nextRetryDelay(policy, n, middle));
  assert.deepEqual(delays, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  assert.equal(DEFAULT_SCHEDULE_MS[0], 0);
});

test('after the last scheduled attempt there is no retry', () => {
  assert.equal(nextRetryDelay(policy, 8, middle), null);
});

test('jitter spreads a delay by at most ±20%', () => {
  assert.equal(
    nextRetryDelay(policy, 1, () => 0),
    4_000,
  );
  assert.equal(
    nextRetryDelay(policy, 1, () => 0.999999),
    6_000,
  );
});

test('Retry-After lengthens a delay, up to the longest delay of the schedule', () => {
  assert.equal(nextRetryDelay(policy, 1, middle, 60_000), 60_000);
  assert.equal(nextRetryDelay(policy, 1, middle, 1_000), 5_000);
  assert.equal(nextRetryDelay(policy, 1, middle, 7 * 24 * 3_600_000), 36_000_000);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
