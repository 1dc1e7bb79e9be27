/**
 * The data folder holds the SQLite file, with every endpoint secret, and the admin token: only the user hookd runs
 * as may read them. Folders and files left by an older hookd (under a umask of 022: readable by everyone) are
 * tightened at start too.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and any missing parents) owner-only, and makes an existing one owner-only. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes each of the files that exist owner-only. */
export function privateFiles(...paths: string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}

/** Creates an empty file owner-only when it is missing (a new SQLite file is an empty one), then as privateFiles. */
export function privateFile(path: string): void {
  writeFileSync(path, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}
