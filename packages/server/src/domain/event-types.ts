/** Event type names (`payment.completed`) and the filters endpoints subscribe with (`payment.*`, `*`). */

const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_LENGTH = 256;

export function isEventTypeName(value: string): boolean {
  return value.length <= MAX_LENGTH && NAME.test(value);
}

/** A filter is an exact name, `prefix.*`, or `*` for everything. */
export function isEventTypeFilter(value: string): boolean {
  if (value === '*') return true;
  if (value.endsWith('.*')) return isEventTypeName(value.slice(0, -2));
  return isEventTypeName(value);
}

/** Whether an endpoint subscribed to `filters` receives `type`; no filters means all types. */
export function matchesEventType(filters: readonly string[] | null, type: string): boolean {
  if (!filters || filters.length === 0) return true;
  for (const filter of filters) {
    if (filter === '*' || filter === type) return true;
    if (filter.endsWith('.*') && type.startsWith(filter.slice(0, -1))) return true;
  }
  return false;
}
