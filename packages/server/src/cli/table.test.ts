import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Paint } from './output.js';
import { record, show, table } from './table.js';

const plain = new Proxy(
  { enabled: false },
  { get: (_target, key) => (key === 'enabled' ? false : (text: string) => text) },
) as Paint;
const rows = [
  { id: 'app_1', name: 'Acme', note: 'a\nb' },
  { id: 'app_22', name: 'Globex Corporation, a rather long name', note: '' },
];
const columns = [
  { header: 'id', value: (r: (typeof rows)[number]) => r.id },
  { header: 'name', value: (r: (typeof rows)[number]) => r.name, max: 12 },
  { header: 'note', value: (r: (typeof rows)[number]) => r.note },
];

test('table: capital headers, columns two spaces apart and aligned, no trailing spaces, one line a row', () => {
  assert.equal(
    table(plain, columns, rows, false),
    [
      'ID      NAME                                    NOTE',
      'app_1   Acme                                    a b',
      'app_22  Globex Corporation, a rather long name',
      '',
    ].join('\n'),
  );
});

test('table: on a terminal a long cell is cut with …; a pipe gets every character', () => {
  assert.equal(
    table(plain, columns, rows, true),
    ['ID      NAME          NOTE', 'app_1   Acme          a b', 'app_22  Globex Corp…', ''].join('\n'),
  );
});

test('record: names aligned, values shown as cells show them', () => {
  assert.equal(
    record(plain, [
      ['id', 'app_1'],
      ['max in flight', null],
      ['events', ['a.*', 'b']],
    ]),
    ['id:             app_1', 'max in flight:  —', 'events:         ["a.*","b"]', ''].join('\n'),
  );
  assert.deepEqual([show(undefined), show(false), show(3), show({ a: 1 })], ['—', 'false', '3', '{"a":1}']);
});

test('table: on a terminal the last column is cut to the width left, so no row wraps', () => {
  const unbounded = [columns[0], { ...columns[1], max: undefined }] as typeof columns;
  const text = table(plain, unbounded, rows, true, 18);
  assert.equal(text, ['ID      NAME', 'app_1   Acme', 'app_22  Globex Co…', ''].join('\n'));
  assert.ok(text.split('\n').every((line) => line.length <= 18));
  assert.equal(table(plain, unbounded, rows, false, 18).split('\n')[2], 'app_22  Globex Corporation, a rather long name');
});
