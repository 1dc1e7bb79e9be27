import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idAt, newId, timeOfId } from './ids.js';

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

test('an id gives back the time it was made at; idAt is the smallest id of that time', () => {
  const at = 1_700_000_000_123;
  const id = newId('atm', at);
  assert.equal(timeOfId('atm', id), at);
  assert.equal(timeOfId('atm', idAt('atm', at)), at);
  assert.ok(idAt('atm', at) <= id && id < idAt('atm', at + 1));
  assert.equal(idAt('msg', -5), `msg_${'0'.repeat(26)}`, 'before 1970 counts as 1970');
});

test('timeOfId is null for text that is not an id of that prefix', () => {
  for (const text of ['', 'atm_', 'atm_012345678', 'msg_0123456789ABCDEFGHJKMNPQ', 'atm_0123456U89', 'atm_0123456L89']) {
    assert.equal(timeOfId('atm', text), null, text);
  }
});
