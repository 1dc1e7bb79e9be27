import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventTypeFilter, isEventTypeName, matchesEventType } from './event-types.js';

test('no filters, or an empty list, receives every type', () => {
  assert.equal(matchesEventType(null, 'payment.completed'), true);
  assert.equal(matchesEventType([], 'order.created'), true);
});

test('exact names match only themselves', () => {
  assert.equal(matchesEventType(['order.created'], 'order.created'), true);
  assert.equal(matchesEventType(['order.created'], 'order.created.v2'), false);
  assert.equal(matchesEventType(['order.created'], 'order'), false);
});

test('prefix.* matches every type under the prefix, at any depth, but not the prefix itself', () => {
  assert.equal(matchesEventType(['payment.*'], 'payment.completed'), true);
  assert.equal(matchesEventType(['payment.*'], 'payment.refund.created'), true);
  assert.equal(matchesEventType(['payment.*'], 'payment'), false);
  assert.equal(matchesEventType(['payment.*'], 'payments.completed'), false);
});

test('* matches everything', () => {
  assert.equal(matchesEventType(['*'], 'anything.at.all'), true);
});

test('names and filters are validated', () => {
  assert.equal(isEventTypeName('user.signed_up-v2'), true);
  for (const bad of ['', 'a..b', '.a', 'a.', 'bad type', 'a/b', 'x'.repeat(257)]) assert.equal(isEventTypeName(bad), false, bad);
  assert.equal(isEventTypeFilter('payment.*'), true);
  assert.equal(isEventTypeFilter('*'), true);
  for (const bad of ['payment*', '*.created', 'a.*.b', '.*']) assert.equal(isEventTypeFilter(bad), false, bad);
});
