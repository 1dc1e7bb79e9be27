import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardRoute, routeFor } from './listen-routes.js';

const routes = ['order.*=http://a/orders', 'order.refunded=http://b/never', 'http://c/other'].reduce<
  ReturnType<typeof forwardRoute> | undefined
>((list, text) => forwardRoute(text, list), undefined) as ReturnType<typeof forwardRoute>;

test('forwardRoute reads PATTERN=URL and bare URLs, in order; a query with = stays a bare URL', () => {
  assert.deepEqual(routes, [
    { pattern: 'order.*', url: 'http://a/orders' },
    { pattern: 'order.refunded', url: 'http://b/never' },
    { pattern: null, url: 'http://c/other' },
  ]);
  assert.deepEqual(forwardRoute('http://c/hook?x=1', undefined), [{ pattern: null, url: 'http://c/hook?x=1' }]);
  assert.deepEqual(forwardRoute('*=http://c/', undefined), [{ pattern: '*', url: 'http://c/' }]);
  assert.throws(() => forwardRoute('order.*=nope', undefined), /PATTERN=URL/);
  assert.throws(() => forwardRoute('bad pattern!=http://c/', undefined), /PATTERN=URL/);
});

test('routeFor: the first matching pattern wins, the bare URL takes the rest, nothing without one', () => {
  assert.equal(routeFor(routes, 'order.created')?.url, 'http://a/orders');
  assert.equal(routeFor(routes, 'order.refunded')?.url, 'http://a/orders', 'first match, not the most specific');
  assert.equal(routeFor(routes, 'orders.created')?.url, 'http://c/other', 'order.* is a dotted prefix, not a string one');
  assert.equal(routeFor(routes, null)?.url, 'http://c/other');
  assert.equal(routeFor(routes.slice(0, 2), 'user.created'), null);
});
