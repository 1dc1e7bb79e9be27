import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_UID_LENGTH, uidProblem } from './app-uid.js';

test('a uid is letters, digits, . _ - up to 256 characters', () => {
  for (const uid of ['acme', 'Acme-Shop_2.eu', 'x'.repeat(MAX_UID_LENGTH), 'my-hookd-app'])
    assert.equal(uidProblem(uid), null, uid);
  for (const uid of ['', 'a b', 'a/b', 'é', 'x'.repeat(MAX_UID_LENGTH + 1)]) assert.equal(uidProblem(uid), 'characters', uid);
});

test('a uid may not be reserved for hookd, look like an id, or be a path step', () => {
  assert.equal(uidProblem('hookd-ops'), 'reserved');
  assert.equal(uidProblem('HOOKD-mine'), 'reserved');
  assert.equal(uidProblem('app_01HGW2BZ0'), 'id_like');
  assert.equal(uidProblem('.'), 'path_step');
  assert.equal(uidProblem('..'), 'path_step');
});
