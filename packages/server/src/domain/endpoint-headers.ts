/** The rules for the custom headers an endpoint sends with every delivery. */

export const MAX_ENDPOINT_HEADERS = 20;

/** RFC 9110 `token`: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 field-value bytes: tab, visible ASCII, space and Latin-1; no CR, LF, NUL or other control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers hookd sets itself, or that describe the connection or the body: a custom header may not take their place. */
const RESERVED_NAMES = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'user-agent',
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);
const RESERVED_PREFIXES = ['webhook-', 'x-webhook-', 'svix-', 'proxy-'];

/**
 * Why these headers cannot be an endpoint's custom headers, or null when they can. A transformation's headers follow
 * the same rules with no count of their own (a forwarded request may carry more).
 */
export function endpointHeadersProblem(headers: Record<string, string>, max = MAX_ENDPOINT_HEADERS): string | null {
  const names = Object.keys(headers);
  if (names.length > max) {
    return `an endpoint may have at most ${max} custom headers, not ${names.length}`;
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!TOKEN.test(name)) return `${JSON.stringify(name)} is not a valid header name`;
    const lower = name.toLowerCase();
    if (RESERVED_NAMES.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      return `the header ${JSON.stringify(name)} is set by hookd and cannot be overridden`;
    }
    if (seen.has(lower)) return `the header ${JSON.stringify(name)} is given twice (header names ignore case)`;
    seen.add(lower);
    if (!FIELD_VALUE.test(headers[name] as string)) {
      return `the value of the header ${JSON.stringify(name)} holds a control character (CR, LF, NUL, …) or a character beyond U+00FF`;
    }
  }
  return null;
}
