import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keptResponseHeaders } from './response-headers.js';

test('response headers drop sessions and credentials and keep the rest, lower-cased', () => {
  const kept = keptResponseHeaders({
    'Content-Type': 'text/plain',
    'set-cookie': ['a=1', 'b=2'],
    'www-authenticate': 'Bearer',
    vary: ['accept', 'origin'],
  });
  assert.deepEqual(kept, { 'content-type': 'text/plain', vary: 'accept, origin' });
});

test('response headers stop at the count and byte caps, cutting the value that crosses the byte cap', () => {
  const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`x-h${i}`, 'v']));
  assert.equal(Object.keys(keptResponseHeaders(many)).length, 50);
  const big = keptResponseHeaders({ a: 'x'.repeat(10), b: 'é'.repeat(100) }, { count: 50, bytes: 40 });
  assert.equal(big.a, 'x'.repeat(10));
  // 40 - (1 + 2 + 10) for a, then 1 + 2 for b's name: 24 bytes, 12 two-byte characters.
  assert.equal(big.b, 'é'.repeat(12));
});
