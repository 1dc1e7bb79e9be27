#!/usr/bin/env node
// Builds the packages as users get them (a type error there, declarations included, fails the run), type-checks the
// tests, bench and examples, then runs every *.test.ts under packages/ with node's test runner (through tsx).
// Files named *.solo.test.ts disturb shared services (they restart PostgreSQL), so they run last, alone.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
const testArgs = (concurrency, list) => [
  '--import',
  'tsx',
  '--conditions=@hookd/source',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  ...list,
];
const solo = files.filter((f) => f.endsWith('.solo.test.ts'));
const shared = files.filter((f) => !solo.includes(f));
let status = shared.length > 0 ? run(process.execPath, testArgs(2, shared)) : 0;
if (solo.length > 0) status = run(process.execPath, testArgs(1, solo)) || status;
process.exit(status);
