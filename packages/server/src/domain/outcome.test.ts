import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeAttempt, nextStep } from './outcome.js';

test('any 2xx is a success', () => {
  for (const status of [200, 201, 202, 204, 299])
    assert.deepEqual(judgeAttempt({ kind: 'response', status }), { kind: 'succeeded' });
});

test('410 Gone disables the endpoint', () => {
  assert.deepEqual(judgeAttempt({ kind: 'response', status: 410 }), { kind: 'disable-endpoint' });
});

test('redirects, client and server errors are retried; only 429 and 503 ask for Retry-After', () => {
  for (const status of [301, 302, 400, 404, 500, 502]) {
    assert.deepEqual(judgeAttempt({ kind: 'response', status }), { kind: 'retry', honourRetryAfter: false }, String(status));
  }
  for (const status of [429, 503])
    assert.deepEqual(judgeAttempt({ kind: 'response', status }), { kind: 'retry', honourRetryAfter: true });
});

test('network errors and timeouts are retried', () => {
  assert.deepEqual(judgeAttempt({ kind: 'error', code: 'headers_timeout' }), { kind: 'retry', honourRetryAfter: false });
});

const context = { attemptsInRun: 0, policy: { scheduleMs: [0, 1000, 5000], jitter: 0 }, random: () => 0.5, now: 10_000 };

test('after a failed attempt the next one is scheduled by the retry policy, until the schedule runs out', () => {
  assert.deepEqual(nextStep({ kind: 'response', status: 500 }, context), { status: 'pending', nextAttemptAt: 11_000 });
  assert.deepEqual(nextStep({ kind: 'error', code: 'headers_timeout' }, { ...context, attemptsInRun: 1 }), {
    status: 'pending',
    nextAttemptAt: 15_000,
  });
  assert.deepEqual(nextStep({ kind: 'response', status: 500 }, { ...context, attemptsInRun: 2 }), { status: 'failed' });
});

test('Retry-After counts only on 429 and 503', () => {
  const asked = (status: number) => nextStep({ kind: 'response', status, retryAfter: '3' }, context);
  assert.deepEqual(asked(429), { status: 'pending', nextAttemptAt: 13_000 });
  assert.deepEqual(asked(503), { status: 'pending', nextAttemptAt: 13_000 });
  assert.deepEqual(asked(500), { status: 'pending', nextAttemptAt: 11_000 });
});

test('a success ends the delivery; a 410 fails it and disables the endpoint', () => {
  assert.deepEqual(nextStep({ kind: 'response', status: 204 }, context), { status: 'succeeded' });
  assert.deepEqual(nextStep({ kind: 'response', status: 410 }, context), {
    status: 'failed',
    disableEndpoint: 'the endpoint answered 410 Gone',
  });
});
