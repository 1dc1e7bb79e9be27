import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeAttempt } from './outcome.js';

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
  assert.deepEqual(judgeAttempt({ kind: 'error', code: 'timeout' }), { kind: 'retry', honourRetryAfter: false });
});
