/**
 * `hookd keys rotate`: every stored secret resealed under a new master key while hookd keeps running. With the data
 * folder's master.key, a new key is generated and written first beside the old one (running processes read the file
 * again when they meet it), everything is resealed, then the old key is retired from the file. With HOOKD_MASTER_KEY,
 * the operator has put the new key first on every process (`new,old`); this reseals under it, then says to drop old.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.js';
import {
  generateMasterKey,
  keyFilePath,
  parseMasterKeys,
  type Rotation,
  readKeyFile,
  resealSecrets,
  SecretBox,
  type Store,
  writeKeyFile,
} from '../store/index.js';

/** The settings `hookd keys rotate` reads: the database and where the keys are. */
export const KEYS_OPTIONS = ['dataDir', 'databaseUrl', 'databasePoolSize', 'masterKey'] as const;

/**
 * How long the second pass waits: a process that sealed a value under the old key just before it saw the new one
 * has committed it by then, and the second pass reseals it before the old key is retired.
 */
const SETTLE_MS = 2_000;

export class KeysError extends Error {}

/** Two passes under `box`: the second catches values sealed under an older key while the first ran. */
async function resealTwice(store: Store, box: SecretBox): Promise<Rotation> {
  const first = await resealSecrets(store, box);
  await sleep(SETTLE_MS);
  const second = await resealSecrets(store, box);
  return { ...first, resealed: first.resealed + second.resealed };
}

export async function rotateKeys(config: Config, store: Store, say: (line: string) => void): Promise<Rotation> {
  if (config.masterKey !== null) {
    const keys = parseMasterKeys(config.masterKey, 'HOOKD_MASTER_KEY (--master-key)');
    const rotation = await resealTwice(store, new SecretBox(keys));
    if (rotation.from === rotation.to && rotation.resealed === 0) {
      throw new KeysError(
        `every secret is already under ${rotation.to}, the first key of HOOKD_MASTER_KEY: to rotate, set ` +
          'HOOKD_MASTER_KEY=<new>,<old> on every hookd process (`openssl rand -base64 32` makes one), then run this again',
      );
    }
    say(`${rotation.resealed} secrets resealed under ${rotation.to} (were under ${rotation.from})`);
    if (keys.length > 1) say(`the other keys of HOOKD_MASTER_KEY are no longer used: keep only the first on every process`);
    return rotation;
  }
  const path = keyFilePath(config.dataDir);
  let current: ReturnType<typeof readKeyFile>;
  try {
    current = readKeyFile(config.dataDir);
  } catch (error) {
    throw new KeysError(`cannot read ${path} (${(error as Error).message}): is --data-dir the one hookd serve uses?`);
  }
  const fresh = generateMasterKey();
  // Both keys until every value is resealed: a running hookd reads the file again and opens either.
  writeKeyFile(config.dataDir, [fresh, ...current]);
  const rotation = await resealTwice(store, new SecretBox([fresh, ...current]));
  writeKeyFile(config.dataDir, [fresh]);
  say(`${rotation.resealed} secrets resealed under ${rotation.to} (were under ${rotation.from}); ${path} now holds only it`);
  return rotation;
}
