/**
 * What a start and a rotation do with the master keys and the store: a check value in `settings`, sealed under the
 * key everything is sealed under, proves at start that this process holds that key (or refuses to start); a store
 * without one is encrypted now (its plain-text secrets sealed), and a rotation reseals everything, then the check.
 */
import { isSealed, keyIdOf, MissingKeyError, type SecretBox } from './secret-box.js';
import type { Store } from './store.js';

export const CHECK_SETTING = 'secrets.check';
const CHECK_TEXT = 'hookd secrets check';

export interface AtRestStart {
  /** The key the store's secrets are sealed under. */
  keyId: string;
  /** Plain-text secrets this start sealed (a store written by a hookd before encryption); 0 otherwise. */
  sealed: number;
}

/** Opens the check value, or says which key is missing: the start fails before anything is sent. */
export function verifyCheck(box: SecretBox, check: string): string {
  const keyId = keyIdOf(check);
  if (keyId === null) throw new Error(`the ${CHECK_SETTING} setting is not a sealed value`);
  if (!box.has(keyId)) box.reload();
  if (!box.has(keyId)) throw new MissingKeyError(keyId);
  let opened: string;
  try {
    opened = box.open(check);
  } catch {
    throw new MissingKeyError(keyId);
  }
  if (opened !== CHECK_TEXT) throw new MissingKeyError(keyId);
  return keyId;
}

/** Run at start, before the store is used: verify the key, or encrypt a store that never was. */
export async function prepareSecretsAtRest(store: Store, box: SecretBox): Promise<AtRestStart> {
  const check = await store.readSetting(CHECK_SETTING);
  if (check !== null) return { keyId: verifyCheck(box, check), sealed: 0 };
  // Values already sealed (by a process that started at the same time) are left as they are.
  const sealed = await store.rewriteSecrets((value) => (isSealed(value) ? value : box.seal(value)));
  if (await store.swapSetting(CHECK_SETTING, null, box.seal(CHECK_TEXT))) return { keyId: box.keyId, sealed };
  // Another process wrote the check first: it must be one this process can open.
  const written = await store.readSetting(CHECK_SETTING);
  return { keyId: verifyCheck(box, written ?? ''), sealed };
}

export interface Rotation {
  from: string;
  to: string;
  /** Values resealed under `to`. */
  resealed: number;
}

/**
 * Reseals every secret (and the check) under the box's current key, reading them with any key it holds. Run twice
 * by `hookd keys rotate`: the second pass catches values a running process sealed under the old key meanwhile.
 */
export async function resealSecrets(store: Store, box: SecretBox): Promise<Rotation> {
  const check = await store.readSetting(CHECK_SETTING);
  const from = check === null ? box.keyId : verifyCheck(box, check);
  const resealed = await store.rewriteSecrets((value) => box.reseal(value));
  if (check === null || keyIdOf(check) !== box.keyId) {
    if (!(await store.swapSetting(CHECK_SETTING, check, box.seal(CHECK_TEXT)))) {
      throw new Error('another rotation changed the key at the same time; run `hookd keys rotate` again');
    }
  }
  return { from, to: box.keyId, resealed };
}
