/** Reading a field from a parsed JSON payload, for the schemes whose id or type travels in the body. */

/** The string at `path` in `payload`, or null when the payload is not an object or holds no string there. */
export function stringAt(payload: unknown, ...path: string[]): string | null {
  let value = payload;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : null;
}
