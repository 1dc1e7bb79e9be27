/**
 * The one eviction rule of hookd's in-process caches: a Map keeps insertion order, so a key set again goes last and
 * the first key is always the oldest (least recently set) entry, the one to drop when the map is full.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number, evicted?: (key: K, value: V) => void): void {
  map.delete(key);
  for (const [oldest, old] of map) {
    if (map.size < max) break;
    map.delete(oldest);
    evicted?.(oldest, old);
  }
  map.set(key, value);
}
