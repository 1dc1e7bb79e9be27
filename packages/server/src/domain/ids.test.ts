import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from './ids.js';

test('ids carry their prefix and sort by creation time', () => {
  const early = newId('msg', 1_700_000_000_000);
  const late = newId('msg', 1_700_000_000_001);
  assert.match(early, /^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.ok(early < late);
});

test('ids made in the same millisecond differ', () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => newId('dlv', 1_700_000_000_000)));
  assert.equal(ids.size, 10_000);
});
