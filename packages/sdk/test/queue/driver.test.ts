/** Without better-sqlite3 installed, asking for SQLite by path fails with a stable code that says what to install. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFixture } from './child.js';
import { tempDir } from './helpers.js';

const files = tempDir();

test('a missing better-sqlite3 gives driver_missing, from the queue and the idempotency store', {
  timeout: 30_000,
}, async (t) => {
  const child = runFixture('missing-driver-child.ts', [files.file('never.db')]);
  t.after(() => child.killHard());
  assert.equal(await child.exited, 0);
  const reports = child.lines.map((line) => JSON.parse(line) as { name?: string; code?: string; message?: string });
  assert.equal(reports.length, 2);
  for (const report of reports) {
    assert.equal(report.name, 'MissingDriverError');
    assert.equal(report.code, 'driver_missing');
    assert.match(report.message ?? '', /npm install better-sqlite3/);
  }
});
