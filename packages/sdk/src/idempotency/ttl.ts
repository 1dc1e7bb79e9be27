/** Every store refuses the same bad TTLs, so a mistake shows up the same way whichever store is in use. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
}
