/**
 * The response headers an attempt keeps: bounded like the response body (a receiver may answer thousands of headers),
 * and without those that carry a credential or a session, which the dashboard and the API would otherwise show.
 */

export const RESPONSE_HEADER_LIMITS = { count: 50, bytes: 4096 } as const;

/** Headers never kept: they hand out sessions or credentials, not facts about the failure. */
const SENSITIVE = new Set(['set-cookie', 'set-cookie2', 'cookie', 'authorization', 'proxy-authorization', 'www-authenticate']);

/**
 * The headers to record, lower-cased, in the order received: the first `count` that fit in `bytes` (name, ": ",
 * value), longer values cut to what is left. Several values of one name are joined with ", ".
 */
export function keptResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  limits: { count: number; bytes: number } = RESPONSE_HEADER_LIMITS,
): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  let bytes = 0;
  for (const [rawName, raw] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (raw === undefined || SENSITIVE.has(name)) continue;
    if (count >= limits.count) break;
    const room = limits.bytes - bytes - Buffer.byteLength(name) - 2;
    if (room <= 0) break;
    const value = cutToBytes(Array.isArray(raw) ? raw.join(', ') : raw, room);
    kept[name] = value;
    count++;
    bytes += Buffer.byteLength(name) + 2 + Buffer.byteLength(value);
  }
  return kept;
}

/** The longest prefix of `text` that fits in `limit` UTF-8 bytes, never splitting a character. */
function cutToBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let end = Math.min(text.length, limit);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > limit) end--;
  // A lone high surrogate left at the cut would be an invalid character.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}
