/** The idempotency contract: one atomic claim per delivery id, so two copies arriving together are handled once. */
export interface IdempotencyStore {
  /** Claims `key` for `ttlMs`: true for the first caller, false while the key is held (a claim, not check-then-set). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Frees a claimed key, so the sender's retry is handled (the first copy failed before it was kept). */
  release(key: string): Promise<void>;
  close?(): Promise<void>;
}
