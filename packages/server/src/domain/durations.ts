/** Durations as people write them in flags, variables and arguments: `500ms`, `30s`, `5m`, `2h`, `1d`. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for `500ms`, `30s`, `5m`, `2h`, `1d` (decimals allowed); a bare number is milliseconds. Null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number)) : null;
}
