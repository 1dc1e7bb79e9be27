/**
 * The idempotency contract: every store runs these same tests against the real thing it keeps keys in.
 * A harness says how time passes for its store: an injected clock is moved, a database's own clock is waited for.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { IdempotencyStore } from '../../src/idempotency/types.js';

export interface StoreHarness {
  store: IdempotencyStore;
  /** Lets `ms` pass as the store sees it. */
  passTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** Why the whole suite is skipped (its service is unreachable and CI is not set). */
  skip?: string;
  /** Short TTL used to watch keys expire; real clocks need a little slack. */
  shortTtlMs?: number;
}

export function idempotencyContract(name: string, open: () => Promise<StoreHarness>, options: ContractOptions = {}): void {
  const shortTtl = options.shortTtlMs ?? 100;

  describe(`IdempotencyStore contract: ${name}`, { skip: options.skip ?? false, timeout: 20_000 }, () => {
    async function withStore(run: (harness: StoreHarness) => Promise<void>): Promise<void> {
      const harness = await open();
      try {
        await run(harness);
      } finally {
        await harness.close();
      }
    }
    const key = () => `dlv_${randomUUID()}`;

    test('the first claim of a key wins and the second loses', () =>
      withStore(async ({ store }) => {
        const k = key();
        assert.equal(await store.claim(k, 60_000), true);
        assert.equal(await store.claim(k, 60_000), false);
      }));

    test('50 concurrent claims of one key give exactly one winner', () =>
      withStore(async ({ store }) => {
        const k = key();
        const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(k, 60_000)));
        assert.equal(results.filter(Boolean).length, 1);
      }));

    test('concurrent claims of many keys give one winner per key', () =>
      withStore(async ({ store }) => {
        const keys = Array.from({ length: 10 }, key);
        const attempts = keys.flatMap((k) => [k, k, k]).map(async (k) => ({ k, won: await store.claim(k, 60_000) }));
        const winners = (await Promise.all(attempts)).filter((r) => r.won).map((r) => r.k);
        assert.deepEqual(winners.sort(), [...keys].sort());
      }));

    test('different keys are independent', () =>
      withStore(async ({ store }) => {
        const [a, b] = [key(), key()];
        assert.equal(await store.claim(a, 60_000), true);
        assert.equal(await store.claim(b, 60_000), true);
        await store.release(a);
        assert.equal(await store.claim(b, 60_000), false, 'releasing one key must not free another');
      }));

    test('a key stays held before its TTL runs out', () =>
      withStore(async ({ store, passTime }) => {
        const k = key();
        assert.equal(await store.claim(k, 5_000), true);
        await passTime(50);
        assert.equal(await store.claim(k, 5_000), false);
      }));

    test('after its TTL a key can be claimed again, once', () =>
      withStore(async ({ store, passTime }) => {
        const k = key();
        assert.equal(await store.claim(k, shortTtl), true);
        await passTime(shortTtl + 50);
        const again = await Promise.all(Array.from({ length: 10 }, () => store.claim(k, 60_000)));
        assert.equal(again.filter(Boolean).length, 1, 'exactly one claimer takes over an expired key');
        assert.equal(await store.claim(k, 60_000), false, 'the new claim holds with its own TTL');
      }));

    test('release lets the next claim succeed', () =>
      withStore(async ({ store }) => {
        const k = key();
        assert.equal(await store.claim(k, 60_000), true);
        await store.release(k);
        assert.equal(await store.claim(k, 60_000), true);
        assert.equal(await store.claim(k, 60_000), false);
      }));

    test('releasing a key never claimed is harmless', () =>
      withStore(async ({ store }) => {
        await store.release(key());
      }));

    test('a TTL that is not a positive number is refused', () =>
      withStore(async ({ store }) => {
        for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(store.claim(key(), ttl), RangeError);
        }
      }));
  });
}

/** Unreachable service: fail under CI, otherwise skip with this reason. */
export function unavailable(service: string, error: unknown): string {
  const reason = `${service} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and under CI=true that is a failure`);
  return `${reason}; skipped (under CI=true this fails)`;
}
