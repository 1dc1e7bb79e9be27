import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containmentOf, criterionText, parseContentCriteria, SearchSyntaxError } from './message-search.js';

test('a criterion is path:value, the value a JSON scalar or a bare string', () => {
  const texts = ['data.n:1234', 'data.n:"1234"', 'data.s:paid', 'data.b:true', 'data.z:null', 'a:x:y'];
  const values = texts.flatMap((text) => parseContentCriteria([text]));
  assert.deepEqual(
    values.map((c) => c.value),
    [1234, '1234', 'paid', true, null, 'x:y'],
  );
  assert.deepEqual(values[0]?.path, ['data', 'n']);
  assert.deepEqual(containmentOf(values[0] as never), { data: { n: 1234 } });
});

test('a criterion written back reads as the same criterion', () => {
  for (const text of [
    'data.n:1234',
    'data.n:"1234"',
    'data.s:paid',
    'data.s:"true"',
    'data.s:""',
    'data.s:"a b"',
    'data.z:null',
  ]) {
    const [criterion] = parseContentCriteria([text]);
    assert.deepEqual(parseContentCriteria([criterionText(criterion as never)]), [criterion], text);
  }
});

test('a malformed criterion is a SearchSyntaxError saying what is wrong', () => {
  for (const text of ['data.n', 'data..n:1', 'data.n-x:1', 'data.n:', 'data.n:"open', `data.n:${'x'.repeat(257)}`, '1a:1']) {
    assert.throws(() => parseContentCriteria([text]), SearchSyntaxError, text);
  }
  assert.throws(() => parseContentCriteria(['a:1', 'a:1', 'a:1', 'a:1', 'a:1']), /at most 4/);
});
