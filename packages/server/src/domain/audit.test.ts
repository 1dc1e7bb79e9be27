import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditChanges, auditEntry, MASKED } from './audit.js';
import { timeOfId } from './ids.js';

test('an update keeps only the fields it set that changed', () => {
  const before = { url: 'https://a.example', description: 'x', fifo: false, updatedAt: 1 };
  const after = { url: 'https://b.example', fifo: false, updatedAt: 2 };
  assert.deepEqual(auditChanges(before, after), { url: { before: 'https://a.example', after: 'https://b.example' } });
});

test('a creation has only after, a deletion only before; timestamps are left out', () => {
  assert.deepEqual(auditChanges(null, { name: 'A', createdAt: 5 }), { name: { after: 'A' } });
  assert.deepEqual(auditChanges({ name: 'A', createdAt: 5 }, null), { name: { before: 'A' } });
});

test('secrets, tokens, credentials, passwords and keys are masked, before and after', () => {
  const changes = auditChanges(
    { secret: 'whsec_old', previousSecret: null, clientKey: 'pem', password: 'p', token: 't', name: 'n' },
    { secret: 'whsec_new', previousSecret: 'whsec_old', clientKey: 'pem2', password: 'q', token: 'u', name: 'n' },
  );
  assert.deepEqual(changes, {
    secret: { before: MASKED, after: MASKED },
    previousSecret: { before: null, after: MASKED },
    clientKey: { before: MASKED, after: MASKED },
    password: { before: MASKED, after: MASKED },
    token: { before: MASKED, after: MASKED },
  });
  assert.doesNotMatch(JSON.stringify(changes), /whsec_|pem/);
});

test('an entry carries who asked, an id of its own time, and no changes when none are given', () => {
  const entry = auditEntry(
    { actor: 'admin', address: '127.0.0.1', requestId: 'r1' },
    { action: 'a.b', appId: null, target: 't' },
    7,
  );
  assert.equal(timeOfId('aud', entry.id), 7);
  assert.deepEqual(
    { ...entry, id: '' },
    {
      id: '',
      at: 7,
      actor: 'admin',
      address: '127.0.0.1',
      requestId: 'r1',
      action: 'a.b',
      appId: null,
      target: 't',
      changes: {},
    },
  );
});
