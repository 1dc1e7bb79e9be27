/**
 * Where the master keys come from: HOOKD_MASTER_KEY (base64 keys, comma-separated, the first seals), or else the
 * data folder's `master.key` (one base64 key a line, the first seals), created owner-only at first start like the
 * generated admin token. A rotation rewrites the file; a process using it notices and reads it again.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir, privateFiles } from './files.js';
import { generateMasterKey, type MasterKey, masterKey, SecretBox } from './secret-box.js';

export const KEY_FILE = 'master.key';

/** Parses a comma- or line-separated list of base64 keys; `where` names the source in the error. */
export function parseMasterKeys(text: string, where: string): MasterKey[] {
  const parts = text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`${where} holds no key`);
  return parts.map((part, i) => {
    if (!/^[A-Za-z0-9+/]{43}=?$/.test(part)) {
      throw new Error(`${where}: key ${i + 1} is not the base64 of 32 bytes (\`openssl rand -base64 32\` makes one)`);
    }
    return masterKey(Buffer.from(part, 'base64'));
  });
}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** Replaces the key file in one rename, owner-only: a reader sees the old keys or the new ones, never half. */
export function writeKeyFile(dataDir: string, keys: readonly MasterKey[]): void {
  privateDir(dataDir);
  const path = keyFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${keys.map((k) => k.key.toString('base64')).join('\n')}\n`, { mode: 0o600 });
  privateFiles(temporary);
  renameSync(temporary, path);
}

export function readKeyFile(dataDir: string): MasterKey[] {
  const path = keyFilePath(dataDir);
  return parseMasterKeys(readFileSync(path, 'utf8'), path);
}

export interface KeySource {
  /** `env` for HOOKD_MASTER_KEY, else the key file's path. */
  from: 'env' | string;
  box: SecretBox;
  /** True when this call created the key file. */
  created: boolean;
}

/** The SecretBox of this process: the configured keys, or the data folder's key file (created when missing). */
export function openKeySource(masterKeys: string | null, dataDir: string): KeySource {
  if (masterKeys !== null) {
    return { from: 'env', box: new SecretBox(parseMasterKeys(masterKeys, 'HOOKD_MASTER_KEY (--master-key)')), created: false };
  }
  const path = keyFilePath(dataDir);
  let created = false;
  if (!existsSync(path)) {
    writeKeyFile(dataDir, [generateMasterKey()]);
    created = true;
  }
  privateFiles(path);
  let seen = stamp(path);
  const box = new SecretBox(readKeyFile(dataDir), {
    reload: () => {
      seen = stamp(path);
      return readKeyFile(dataDir);
    },
    stale: () => stamp(path) !== seen,
  });
  return { from: path, box, created };
}

function stamp(path: string): string {
  try {
    const { mtimeMs, size, ino } = statSync(path);
    return `${mtimeMs}:${size}:${ino}`;
  } catch {
    return 'missing';
  }
}
