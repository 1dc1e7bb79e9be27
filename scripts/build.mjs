#!/usr/bin/env node
// Compiles both packages from scratch into their dist/ folders, declarations included. Stale outputs of deleted
// sources would otherwise be packed and shipped, so each build starts from empty folders.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

for (const pkg of ['packages/sdk', 'packages/server']) {
  rmSync(`${pkg}/dist`, { recursive: true, force: true });
  rmSync(`${pkg}/tsconfig.tsbuildinfo`, { force: true });
}
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'packages/sdk', 'packages/server'], {
  stdio: 'inherit',
});
process.exit(tsc.status ?? 1);
