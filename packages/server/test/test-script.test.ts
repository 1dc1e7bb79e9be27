/**
 * `npm test` (scripts/test.mjs) as a newcomer meets it: whatever ran, the last line is one total of both runs (the
 * shared files and the solo ones), and HOOKD_TEST_SKIP_SOLO=1 leaves the solo files out, saying so. Runs the script on
 * tiny test files of its own, never on the real solo tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function runScript(files: string[], env: Record<string, string> = {}) {
  // Without this, the runs inside would report to this test runner instead of printing.
  const { NODE_TEST_CONTEXT: _, ...outer } = process.env;
  const run = spawnSync(process.execPath, ['scripts/test.mjs', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...outer, HOOKD_TEST_SKIP_SOLO: '', ...env },
    timeout: 60_000,
  });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, stdout: run.stdout, last: lines.at(-1) ?? '' };
}

test('the last line is one total of the shared and the solo run; a failure anywhere sets the exit code', {
  timeout: 120_000,
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-test-script-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shared = join(dir, 'shared.test.ts');
  const solo = join(dir, 'tiny.solo.test.ts');
  writeFileSync(shared, "import { test } from 'node:test';\ntest('a', () => {});\ntest('b', () => {});\ntest('c', () => {});\n");
  writeFileSync(solo, "import { test } from 'node:test';\ntest('alone', () => { throw new Error('solo fails'); });\n");

  const both = runScript([shared, solo]);
  assert.match(both.last, /^total \(shared \+ solo\): 4 tests, 3 pass, 1 fail, 0 cancelled, 0 skipped, 0 todo, \d+\.\d s$/);
  assert.equal(both.status, 1, 'the failing solo test fails the run');

  const skipped = runScript([shared, solo], { HOOKD_TEST_SKIP_SOLO: '1' });
  assert.match(skipped.stdout, /HOOKD_TEST_SKIP_SOLO=1: skipped 1 solo file\(s\)/);
  assert.match(skipped.last, /^total \(shared\): 3 tests, 3 pass, 0 fail/);
  assert.equal(skipped.status, 0);
});
