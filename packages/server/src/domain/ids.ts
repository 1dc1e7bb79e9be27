import { randomFillSync } from 'node:crypto';

// Crockford base32: ids sort by creation time, so they double as pagination cursors.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix = 'app' | 'ep' | 'msg' | 'dlv' | 'atm' | 'src' | 'tok';

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

/** `<prefix>_` + 10 characters of millisecond time + 16 of randomness (a ULID). */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
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
