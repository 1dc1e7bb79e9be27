/**
 * The `hookd` command the way users run it: the built bin/hookd.js on plain node, not the sources through tsx (a
 * build broken while the sources ran fine once went unnoticed; each start also costs half the CPU). The full test
 * run builds first; a single file run after an edit must build too, so a stale dist/ fails loudly here.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
export const HOOKD_BIN = join(PACKAGES, 'server/bin/hookd.js');

function newest(dir: string, wanted: (name: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, wanted));
    else if (wanted(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

let checked = false;

/** Node's arguments that start `hookd`: the built bin, after checking dist/ is newer than every source it holds. */
export function hookdCommand(): string[] {
  if (!checked) {
    const source = (name: string) => name.endsWith('.ts') && !name.endsWith('.test.ts');
    for (const pkg of ['sdk', 'server']) {
      const built = newest(join(PACKAGES, pkg, 'dist'), (name) => name.endsWith('.js'));
      if (newest(join(PACKAGES, pkg, 'src'), source) > built)
        throw new Error(`packages/${pkg}/dist is older than its sources: run npm run build (the tests run the built hookd)`);
    }
    checked = true;
  }
  return [HOOKD_BIN];
}
