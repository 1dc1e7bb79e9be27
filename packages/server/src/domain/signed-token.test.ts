import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readToken, sameText, sessionBound, signToken, uiSigningKey } from './signed-token.js';

const key = uiSigningKey(Buffer.alloc(32, 1));
const other = uiSigningKey(Buffer.alloc(32, 2));

test('a signed token reads back with its claims until it expires', () => {
  const token = signToken(key, { use: 'portal', appId: 'app_1', exp: 1_000 });
  assert.deepEqual(readToken(key, token, 'portal', 999), { use: 'portal', appId: 'app_1', exp: 1_000 });
  assert.equal(readToken(key, token, 'portal', 1_000), null, 'expired');
});

test('a token is refused with another key, for another use, or when tampered with', () => {
  const token = signToken(key, { use: 'session', sid: 's', scope: { kind: 'app', appId: 'app_1' }, exp: 5_000 });
  assert.equal(readToken(other, token, 'session', 0), null);
  assert.equal(readToken(key, token, 'portal', 0), null);
  const [body, mac] = token.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ use: 'session', sid: 's', scope: { kind: 'admin' }, exp: 5_000 })).toString(
    'base64url',
  );
  assert.equal(readToken(key, `${forged}.${mac}`, 'session', 0), null);
  assert.equal(readToken(key, `${body}.`, 'session', 0), null);
  assert.equal(readToken(key, 'garbage', 'session', 0), null);
});

test('session-bound values differ per session and label; sameText compares whole strings', () => {
  assert.notEqual(sessionBound(key, 'csrf', 'a'), sessionBound(key, 'csrf', 'b'));
  assert.notEqual(sessionBound(key, 'csrf', 'a'), sessionBound(key, 'other', 'a'));
  assert.equal(sameText('abc', 'abc'), true);
  assert.equal(sameText('abc', 'abd'), false);
  assert.equal(sameText('abc', 'ab'), false);
});
