/**
 * Secrets at rest: AES-256-GCM under a master key, each value a self-describing text
 * `enc1:<keyId>:<base64 of nonce | ciphertext | tag>`, so a keyring of several keys (during a rotation) knows which
 * one opens it. Decrypted values are cached by their ciphertext: a claim returns the endpoint's secret every time,
 * and each distinct value is decrypted once.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Distinct values kept decrypted; past it the cache starts over (a store holds far fewer secrets in practice). */
const CACHE_LIMIT = 10_000;

export interface MasterKey {
  /** `k_` and the first 8 hex digits of the key's SHA-256: names the key without revealing it. */
  id: string;
  key: Buffer;
}

/** Thrown when a value (or the store's check value) is sealed under a key this process does not have. */
export class MissingKeyError extends Error {
  readonly code = 'HOOKD_MISSING_MASTER_KEY';
  constructor(readonly keyId: string) {
    super(
      `this database's secrets are encrypted with key ${keyId}, which this hookd does not have: give every hookd ` +
        `process the same HOOKD_MASTER_KEY (or the data folder's master.key)`,
    );
  }
}

export function masterKey(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES) throw new Error(`a master key is ${KEY_BYTES} bytes (base64), got ${key.length}`);
  return { id: `k_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key };
}

export const generateMasterKey = (): MasterKey => masterKey(randomBytes(KEY_BYTES));

export const isSealed = (value: string): boolean => value.startsWith(PREFIX);

/** The id of the key a sealed value is under; null for a value written before encryption (plain text). */
export function keyIdOf(value: string): string | null {
  if (!isSealed(value)) return null;
  const end = value.indexOf(':', PREFIX.length);
  return end < 0 ? null : value.slice(PREFIX.length, end);
}

export interface SecretBoxOptions {
  /** Reads the keys again (the key file), when a value names a key not in hand or `stale` says they changed. */
  reload?: () => MasterKey[];
  /** True when the keys may have changed since the last read (the key file was rewritten by a rotation). */
  stale?: () => boolean;
}

export class SecretBox {
  #keys: MasterKey[];
  readonly #options: SecretBoxOptions;
  readonly #plain = new Map<string, string>();
  /** Key ids already looked for by a reload, so a value under a key nobody has costs one reload, not one each read. */
  readonly #sought = new Set<string>();

  /** `keys[0]` seals; every one of them opens. */
  constructor(keys: readonly MasterKey[], options: SecretBoxOptions = {}) {
    if (keys.length === 0) throw new Error('a SecretBox needs at least one key');
    this.#keys = [...keys];
    this.#options = options;
  }

  /** The key new values are sealed under. */
  get keyId(): string {
    return this.#current().id;
  }

  get keyIds(): string[] {
    return this.#keys.map((k) => k.id);
  }

  has(keyId: string): boolean {
    return this.#keys.some((k) => k.id === keyId);
  }

  seal(plain: string): string {
    const { id, key } = this.#current();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${id}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  /** The plain text of a sealed value; a value without the prefix was written before encryption and is returned as is. */
  open(value: string): string {
    if (!isSealed(value)) return value;
    const known = this.#plain.get(value);
    if (known !== undefined) return known;
    const keyId = keyIdOf(value) ?? '';
    const key = this.#find(keyId);
    const bytes = Buffer.from(value.slice(PREFIX.length + keyId.length + 1), 'base64');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error(`a sealed value under ${keyId} is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
    if (this.#plain.size >= CACHE_LIMIT) this.#plain.clear();
    this.#plain.set(value, plain);
    return plain;
  }

  /** The value sealed under the current key: as is when it already is, else opened (or taken as plain) and sealed. */
  reseal(value: string): string {
    return keyIdOf(value) === this.keyId ? value : this.seal(this.open(value));
  }

  /** Reads the keys again now (a rotation changed them). */
  reload(): void {
    const keys = this.#options.reload?.();
    if (keys && keys.length > 0) this.#keys = keys;
  }

  #current(): MasterKey {
    if (this.#options.stale?.()) this.reload();
    return this.#keys[0] as MasterKey;
  }

  #find(keyId: string): MasterKey {
    let key = this.#keys.find((k) => k.id === keyId);
    if (!key && this.#options.reload && !this.#sought.has(keyId)) {
      this.#sought.add(keyId);
      this.reload();
      key = this.#keys.find((k) => k.id === keyId);
    }
    if (!key) throw new MissingKeyError(keyId);
    return key;
  }
}
