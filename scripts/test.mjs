#!/usr/bin/env node
// Builds the packages as users get them (a type error there, declarations included, fails the run), type-checks the
// tests, bench and examples, then runs every *.test.ts under packages/ with node's test runner (through tsx).
// Files named *.solo.test.ts disturb the machine (as root they stop the system PostgreSQL for a moment and mount a
// tmpfs), so they run last, alone; HOOKD_TEST_SKIP_SOLO=1 leaves them out. One combined total is printed last.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('packages').sort();
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (only.length === 0) {
  if (run(process.execPath, ['scripts/build.mjs']) !== 0) {
    console.error('build failed: npm start and the hookd command would fail for every user');
    process.exit(1);
  }
  if (run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']) !== 0) {
    console.error('type check failed');
    process.exit(1);
  }
}
// Each run also writes its counts with the totals reporter, to sum them at the end.
const totalsDir = mkdtempSync(join(tmpdir(), 'hookd-test-totals-'));
const testArgs = (concurrency, list, name) => [
  '--import',
  'tsx',
  '--conditions=@hookd/source',
  '--test',
  `--test-concurrency=${concurrency}`,
  // A test that hangs fails after 5 minutes instead of holding CI to its limit (the slowest, the artifact test on
  // another Node, compiles better-sqlite3 in about 2).
  '--test-timeout=300000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${new URL('./test-totals.mjs', import.meta.url).href}`,
  `--test-reporter-destination=${join(totalsDir, name)}`,
  ...list,
];
const skipSolo = process.env.HOOKD_TEST_SKIP_SOLO === '1';
const solo = files.filter((f) => f.endsWith('.solo.test.ts'));
const shared = files.filter((f) => !solo.includes(f));
const runs = [];
let status = 0;
if (shared.length > 0) {
  runs.push('shared');
  status = run(process.execPath, testArgs(2, shared, 'shared'));
}
if (solo.length > 0 && skipSolo) {
  console.log(`\nHOOKD_TEST_SKIP_SOLO=1: skipped ${solo.length} solo file(s): ${solo.join(', ')}`);
} else if (solo.length > 0) {
  runs.push('solo');
  status = run(process.execPath, testArgs(1, solo, 'solo')) || status;
}

const sum = { tests: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0, durationMs: 0 };
for (const name of runs) {
  let counts;
  try {
    counts = JSON.parse(readFileSync(join(totalsDir, name), 'utf8').trim().split('\n').at(-1));
  } catch {
    console.error(`no totals from the ${name} run (it ended before its summary)`);
    status ||= 1;
    continue;
  }
  for (const key of Object.keys(sum)) sum[key] += counts[key] ?? 0;
}
rmSync(totalsDir, { recursive: true, force: true });
const seconds = (sum.durationMs / 1000).toFixed(1);
console.log(
  `\ntotal (${runs.join(' + ') || 'nothing run'}): ${sum.tests} tests, ${sum.passed} pass, ${sum.failed} fail, ` +
    `${sum.cancelled} cancelled, ${sum.skipped} skipped, ${sum.todo} todo, ${seconds} s`,
);
process.exit(status);
