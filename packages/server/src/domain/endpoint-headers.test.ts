import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointHeadersProblem, MAX_ENDPOINT_HEADERS } from './endpoint-headers.js';

test('ordinary custom headers are accepted', () => {
  assert.equal(endpointHeadersProblem({}), null);
  assert.equal(endpointHeadersProblem({ 'X-Team': 'payments', Authorization: 'Bearer abc', 'x-tab': 'a\tb é' }), null);
});

test('headers hookd sets, or that frame the request, cannot be overridden, whatever their case', () => {
  for (const name of [
    'Content-Type',
    'content-length',
    'User-Agent',
    'Host',
    'webhook-signature',
    'Webhook-Id',
    'X-Webhook-Signature',
    'x-webhook-event',
    'Transfer-Encoding',
    'Connection',
    'svix-signature',
  ]) {
    assert.match(endpointHeadersProblem({ [name]: 'x' }) ?? '', /set by hookd/, name);
  }
});

test('names must be HTTP tokens', () => {
  for (const name of ['', 'X Team', 'X-Team:', 'X-Téam', 'a\nb', '(x)']) {
    assert.match(endpointHeadersProblem({ [name]: 'x' }) ?? '', /not a valid header name/, JSON.stringify(name));
  }
});

test('values may not hold CR, LF, NUL or other control characters', () => {
  for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u0007b', 'emoji 🎉']) {
    assert.match(endpointHeadersProblem({ 'X-Team': value }) ?? '', /value of the header "X-Team"/, JSON.stringify(value));
  }
});

test('a name given twice in different case is refused', () => {
  assert.match(endpointHeadersProblem({ 'X-Team': 'a', 'x-team': 'b' }) ?? '', /given twice/);
});

test(`at most ${MAX_ENDPOINT_HEADERS} headers`, () => {
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v']));
  assert.equal(endpointHeadersProblem(many(MAX_ENDPOINT_HEADERS)), null);
  assert.match(endpointHeadersProblem(many(MAX_ENDPOINT_HEADERS + 1)) ?? '', /at most 20/);
});
