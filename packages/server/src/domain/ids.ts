import { randomBytes } from 'node:crypto';

// Crockford base32: ids sort by creation time, so they double as pagination cursors.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix = 'app' | 'ep' | 'msg' | 'dlv' | 'atm' | 'src';

/** `<prefix>_` + 10 characters of millisecond time + 16 of randomness (a ULID). */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const random = randomBytes(10);
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
