import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFilter, FILTER_MISMATCH, filterSubject, filterVerdict, skipByFilter } from './endpoint-filter.js';

const EVENT = { type: 'invoice.paid', timestamp: '2026-01-01T00:00:00Z', data: { amount: 150, tags: ['vip'] } };

test('the operators hookd documents are taken, with dotted paths, nested $and/$or and $not', () => {
  const filters = [
    { type: 'invoice.paid', 'data.amount': { $gt: 100, $lte: 150 } },
    { 'data.tags': { $in: ['vip'] }, 'data.missing': { $exists: false } },
    { $or: [{ type: { $ne: 'invoice.paid' } }, { $and: [{ 'data.amount': { $gte: 150 } }, { 'data.amount': { $lt: 151 } }] }] },
    { type: { $regex: '^invoice\\.', $options: 'i' }, 'data.amount': { $not: { $eq: 1 } }, 'data.tags': { $nin: ['x'] } },
  ];
  for (const filter of filters) {
    assert.equal(checkFilter(filter), null, JSON.stringify(filter));
    assert.deepEqual(filterVerdict(filter, EVENT), { matches: true }, JSON.stringify(filter));
  }
});

test('a refused filter names the path to its fault', () => {
  const cases: [unknown, string][] = [
    [[], 'filter'],
    [{ 'data.amount': { $foo: 1 } }, 'filter.data.amount.$foo'],
    [{ $nor: [{ a: 1 }] }, 'filter.$nor'],
    [{ $gt: 1 }, 'filter.$gt'],
    [{ 'data..x': 1 }, 'filter.data..x'],
    [{ data: { amount: { $gt: 1 } } }, 'filter.data.amount.$gt'],
    [{ a: { $gt: 1, b: 2 } }, 'filter.a.b'],
    [{ a: { $exists: 'yes' } }, 'filter.a.$exists'],
    [{ a: { $options: 'i' } }, 'filter.a.$options'],
    [{ a: { $regex: 'x', $options: 'g' } }, 'filter.a.$options'],
    [{ a: { $regex: '(x+)+y' } }, 'filter.a.$regex'],
    [{ a: { $regex: '(?<n>x)\\k<n>' } }, 'filter.a.$regex'],
    [{ a: { $regex: '[' } }, 'filter.a.$regex'],
    [{ $and: [] }, 'filter.$and'],
    [{ $or: [{ a: 1 }, 3] }, 'filter.$or.1'],
  ];
  for (const [filter, path] of cases) assert.equal(checkFilter(filter)?.path, path, JSON.stringify(filter));
  let deep: Record<string, unknown> = { x: 1 };
  for (let i = 0; i < 20; i++) deep = { $and: [deep] };
  assert.match(checkFilter(deep)?.message ?? '', /nested deeper/);
});

test('a mismatch names the first top-level clause that fails on its own', () => {
  const verdict = filterVerdict({ type: 'invoice.paid', 'data.amount': { $gt: 200 } }, EVENT);
  assert.deepEqual(verdict, { matches: false, failing: { path: 'filter.data.amount', clause: { 'data.amount': { $gt: 200 } } } });
});

test('skip builds the subject once, only for an endpoint with a filter, and holds back what does not match', () => {
  let built = 0;
  const skip = skipByFilter(() => {
    built++;
    return EVENT;
  });
  assert.equal(skip({ filter: null }), null);
  assert.equal(built, 0, 'no filter, no parsing');
  assert.equal(skip({ filter: '{"data.amount":{"$gt":100}}' }), null);
  assert.equal(skip({ filter: '{"data.amount":{"$gt":200}}' }), FILTER_MISMATCH);
  assert.equal(built, 1);
  assert.match(skip({ filter: '{"a":{"$where":"1"}}' }) ?? '', /^filter: could not be evaluated/);
});

test('a source’s request is seen as its body, parsed when JSON or form-encoded, its kept headers and its query', () => {
  const json = filterSubject({ payload: '{"action":"opened"}', headers: { 'content-type': 'application/json' } });
  assert.deepEqual(json, { body: { action: 'opened' }, headers: { 'content-type': 'application/json' }, query: {} });
  const queried = filterSubject({ payload: '{}', headers: {}, query: { tenant: 'acme' } });
  assert.deepEqual((queried as { query: unknown }).query, { tenant: 'acme' });
  const form = filterSubject({ payload: 'a=1&b=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.deepEqual((form as { body: unknown }).body, { a: '1', b: 'x' });
  const text = filterSubject({ payload: 'hello', headers: { 'content-type': 'text/plain' } });
  assert.equal((text as { body: unknown }).body, 'hello');
  assert.deepEqual(filterSubject({ payload: JSON.stringify(EVENT), headers: null }), EVENT);
});
