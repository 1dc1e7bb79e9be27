import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readToken, sameText, signToken } from './signed-token.js';

const key = Buffer.alloc(32, 1);
const other = Buffer.alloc(32, 2);

test('a signed token reads back with its claims until it expires', () => {
  const token = signToken(key, { use: 'portal', appId: 'app_1', exp: 1_000, epoch: 0 });
  assert.deepEqual(readToken(key, token, 'portal', 999), { use: 'portal', appId: 'app_1', exp: 1_000, epoch: 0 });
  assert.equal(readToken(key, token, 'portal', 1_000), null, 'expired');
});

test('a token is refused with another key, or when tampered with', () => {
  const token = signToken(key, { use: 'portal', appId: 'app_1', exp: 5_000, epoch: 0 });
  assert.equal(readToken(other, token, 'portal', 0), null);
  const [body, mac] = token.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ use: 'portal', appId: 'app_2', exp: 5_000, epoch: 0 })).toString('base64url');
  assert.equal(readToken(key, `${forged}.${mac}`, 'portal', 0), null);
  assert.equal(readToken(key, `${body}.`, 'portal', 0), null);
  assert.equal(readToken(key, 'garbage', 'portal', 0), null);
});

test('sameText compares whole strings', () => {
  assert.equal(sameText('abc', 'abc'), true);
  assert.equal(sameText('abc', 'abd'), false);
  assert.equal(sameText('abc', 'ab'), false);
});
