import { randomFillSync } from 'node:crypto';

// Crockford base32: ids sort by creation time, so they double as pagination cursors.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix = 'app' | 'ep' | 'msg' | 'dlv' | 'atm' | 'src' | 'tok' | 'aud' | 'rcv';

// Random bytes are drawn 4 KiB at a time: a call per id cost more than the rest of making it.
const randomPool = Buffer.alloc(4096);
let poolUsed = randomPool.length;
function randomTen(): Buffer {
  if (poolUsed + 10 > randomPool.length) {
    randomFillSync(randomPool);
    poolUsed = 0;
  }
  poolUsed += 10;
  return randomPool.subarray(poolUsed - 10, poolUsed);
}

/** A millisecond time as the 10 characters an id starts with (after its prefix); before 1970 counts as 1970. */
function encodeTime(time: number): string {
  let text = '';
  for (let t = Math.max(0, time), i = 0; i < 10; i++, t = Math.floor(t / 32)) text = ALPHABET[t % 32] + text;
  return text;
}

/** `<prefix>_` + 10 characters of millisecond time + 16 of randomness (a ULID). */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  const time = encodeTime(now);
  const random = randomTen();
  let rest = '';
  // 80 random bits as 16 base32 characters: 5 bits each.
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rest += ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${rest}`;
}

/** The smallest id of `prefix` made at `time`: ids start with their creation time, so this is a time cursor. */
export function idAt(prefix: IdPrefix, time: number): string {
  return `${prefix}_${encodeTime(time)}${'0'.repeat(16)}`;
}

/** The creation time an id of `prefix` carries; null for text that is not one. */
export function timeOfId(prefix: IdPrefix, id: string): number | null {
  const match = /^([0-9A-HJKMNP-TV-Z]{10})/.exec(id.startsWith(`${prefix}_`) ? id.slice(prefix.length + 1) : '');
  if (!match) return null;
  let time = 0;
  for (const char of match[1] as string) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}
