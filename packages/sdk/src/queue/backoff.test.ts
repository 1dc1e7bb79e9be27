import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF, toBackoffFunction } from './backoff.js';
import { QueueError } from './errors.js';

const middle = () => 0.5; // no jitter: 1 + 0.2 * (2 * 0.5 - 1) = 1

test('the default schedule doubles from one second', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, {}, middle)),
    [1_000, 2_000, 4_000, 8_000, 16_000],
  );
});

test('the default schedule is capped at one hour, jitter included', () => {
  assert.equal(DEFAULT_BACKOFF.maxMs, 3_600_000);
  assert.equal(backoffDelay(13, {}, middle), 3_600_000); // 1 s * 2^12 = 4096 s > 1 h
  assert.equal(
    backoffDelay(40, {}, () => 0.999),
    3_600_000,
  );
});

test('jitter spreads each delay by at most 20 % either way', () => {
  assert.equal(
    backoffDelay(2, {}, () => 0),
    1_600,
  );
  assert.equal(
    backoffDelay(2, {}, () => 0.75),
    2_200,
  );
  const high = backoffDelay(2, {}, () => 0.999_999);
  assert.ok(high > 2_399 && high <= 2_400, `got ${high}`);
});

test('options override the schedule', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { baseMs: 10, factor: 3, maxMs: 200, jitter: 0 })),
    [10, 30, 90, 200],
  );
});

test('a backoff function is used as given, never below zero', () => {
  const fn = toBackoffFunction((attempt) => attempt * 7 - 10, Math.random);
  assert.deepEqual([1, 2, 3].map(fn), [0, 4, 11]);
});

test('impossible backoff options are refused with a stable code', () => {
  for (const bad of [{ baseMs: -1 }, { factor: Number.NaN }, { jitter: 1.5 }, { maxMs: -5 }]) {
    assert.throws(
      () => toBackoffFunction(bad, Math.random),
      (error: unknown) => error instanceof QueueError && error.code === 'queue_option_invalid',
    );
  }
});
