/** The README's receiver error table lists exactly RECEIVER_ERRORS, with their statuses and meanings. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RECEIVER_ERRORS } from '../../src/receiver/index.js';

const README = new URL('../../../../README.md', import.meta.url);

test('the README receiver error table lists exactly RECEIVER_ERRORS', () => {
  const section = readFileSync(README, 'utf8').split('\n## Receiving webhooks with @hookd/sdk\n')[1]?.split('\n## ')[0];
  assert.ok(section, 'the README has a "Receiving webhooks with @hookd/sdk" section');
  const rows: Record<string, [number, string]> = {};
  for (const line of section.split('\n')) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|$/.exec(line.trim());
    if (!match) continue;
    const [, code, status, meaning] = match as unknown as [string, string, string, string];
    assert.equal(rows[code], undefined, `the README lists ${code} twice`);
    rows[code] = [Number(status), meaning];
  }
  const expected = Object.fromEntries(Object.entries(RECEIVER_ERRORS).map(([code, e]) => [code, [e.status, e.meaning]]));
  assert.deepEqual(rows, expected);
});
