import { timingSafeEqual } from 'node:crypto';

export type Body = string | Uint8Array;

export function toBuffer(body: Body): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Constant-time equality of two strings of signature text; lengths may differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether any offered signature equals any expected one, both being signature text (hex or base64).
 * Every pair is compared, whatever matched first, so the time taken does not tell which secret or
 * which offered signature matched. Lengths are public (fixed by the scheme), so they may short-cut.
 */
export function anyEqual(expected: readonly string[], offered: readonly string[]): boolean {
  let match = false;
  for (const want of expected) {
    const wanted = Buffer.from(want, 'latin1');
    for (const candidate of offered) {
      // Only ASCII text can equal a signature; latin1 would fold other characters onto ASCII bytes.
      if (candidate.length !== want.length || !isAscii(candidate)) continue;
      match = timingSafeEqual(Buffer.from(candidate, 'latin1'), wanted) || match;
    }
  }
  return match;
}

function isAscii(text: string): boolean {
  let high = 0;
  for (let i = 0; i < text.length; i++) high |= text.charCodeAt(i);
  return high < 0x80;
}

/** Reads a header from a plain object or a Headers instance, case-insensitively. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** Pass `name` in lower case for the fast path: Node and fetch give header names in lower case. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(record)) if (key.toLowerCase() === lower) value = record[key];
  }
  return Array.isArray(value) ? value.join(', ') : value;
}
