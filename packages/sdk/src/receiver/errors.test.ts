import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VERIFICATION_ERROR_CODES } from '../errors.js';
import { RECEIVER_ERRORS } from './errors.js';
import { createMetrics } from './metrics.js';

test('every verification code is answered 401 and counted as a signature refusal', () => {
  for (const code of Object.keys(VERIFICATION_ERROR_CODES)) {
    const entry = RECEIVER_ERRORS[code as keyof typeof RECEIVER_ERRORS];
    assert.ok(entry, code);
    assert.equal(entry.status, 401, code);
    assert.equal(entry.kind, 'signature', code);
  }
});

test('every code has an error status, a meaning, and a counter that exists in the metrics', () => {
  const counters = Object.keys(createMetrics().refused);
  for (const [code, entry] of Object.entries(RECEIVER_ERRORS)) {
    assert.ok(entry.status >= 400 && entry.status < 600, code);
    assert.ok(entry.meaning.length > 10, code);
    assert.match(code, /^[a-z]+(_[a-z]+)*$/, code);
    if (entry.kind !== null) assert.ok(counters.includes(entry.kind), `${code} counts in refused.${entry.kind}`);
  }
  const used = new Set(Object.values(RECEIVER_ERRORS).map((entry) => entry.kind));
  for (const counter of counters) assert.ok(used.has(counter as never), `refused.${counter} is fed by some code`);
});
