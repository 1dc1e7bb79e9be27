/**
 * Answers repeated wrong tokens from one client address with 429 and Retry-After, so tokens cannot be guessed at
 * full speed. Only failures count: a valid token is never counted, and checking costs one map lookup. Memory is
 * bounded: at most `maxAddresses` are tracked, the oldest forgotten first.
 */
import { setNewest } from '../domain/index.js';
import { ApiError } from './errors.js';

export interface AuthLimiterOptions {
  /** Wrong tokens one address may send per window before it is refused. */
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
  clock?: () => number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly clock: () => number;

  constructor(options: AuthLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Throws 429 `auth_rate_limited` when the address used up its wrong tokens for this window. Checked before the
   * token, so a refused address learns nothing about its guesses until the window ends.
   */
  check(address: string): void {
    const window = this.windows.get(address);
    if (!window) return;
    const now = this.clock();
    if (window.endsAt <= now) {
      this.windows.delete(address);
      return;
    }
    if (window.failures >= this.maxFailures) {
      const error = new ApiError('auth_rate_limited');
      error.headers = { 'retry-after': String(Math.max(1, Math.ceil((window.endsAt - now) / 1000))) };
      throw error;
    }
  }

  /** Counts one wrong token from the address. */
  failed(address: string): void {
    const now = this.clock();
    let window = this.windows.get(address);
    if (!window || window.endsAt <= now) {
      window = { failures: 0, endsAt: now + this.windowMs };
      setNewest(this.windows, address, window, this.maxAddresses);
    }
    window.failures++;
  }

  /** Addresses tracked now (for tests of the bound). */
  get size(): number {
    return this.windows.size;
  }
}
