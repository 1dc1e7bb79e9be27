/** Headers as handlers and the queue keep them: a plain record with lower-case names, repeated values joined. */
import type { HeaderSource } from '../bytes.js';

export function headerRecord(source: HeaderSource): Record<string, string> {
  const record: Record<string, string> = {};
  if (typeof (source as Headers).forEach === 'function' && typeof (source as Headers).get === 'function') {
    (source as Headers).forEach((value, name) => {
      record[name.toLowerCase()] = value;
    });
    return record;
  }
  for (const [name, value] of Object.entries(source as Record<string, string | string[] | undefined>)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    record[key] = key in record ? `${record[key]}, ${text}` : text;
  }
  return record;
}
