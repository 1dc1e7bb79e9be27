/** When a failed webhook is tried again: exponential, capped, with jitter so a burst of failures spreads out. */
import { QueueError } from './errors.js';

export interface BackoffOptions {
  /** Delay after the first failure. Default 1 s. */
  baseMs?: number;
  /** Each further failure multiplies the delay by this. Default 2. */
  factor?: number;
  /** No delay is longer than this, jitter included. Default 1 h. */
  maxMs?: number;
  /** Spread as a fraction of the delay: 0.2 gives ±20 %. Default 0.2. */
  jitter?: number;
}

/** A custom schedule: milliseconds to wait after failed attempt number `attempt` (1 on the first failure). */
export type BackoffFunction = (attempt: number) => number;

export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = {
  baseMs: 1_000,
  factor: 2,
  maxMs: 60 * 60 * 1_000,
  jitter: 0.2,
};

/** Delay after failed attempt `attempt`; `random` returns [0, 1) like Math.random and is injected in tests. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs, factor, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...definedOnly(options) };
  const raw = baseMs * factor ** Math.max(0, attempt - 1);
  const spread = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(maxMs, raw * spread)));
}

/** Turns the `backoff` option (an object, a function or nothing) into one function of the attempt. */
export function toBackoffFunction(backoff: BackoffOptions | BackoffFunction | undefined, random: () => number): BackoffFunction {
  if (typeof backoff === 'function') return (attempt) => Math.max(0, backoff(attempt));
  validate(backoff ?? {});
  return (attempt) => backoffDelay(attempt, backoff, random);
}

function validate(options: BackoffOptions): void {
  for (const key of ['baseMs', 'factor', 'maxMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new QueueError('queue_option_invalid', `backoff.${key} must be >= 0, got ${value}`);
  }
  const { jitter } = options;
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1))
    throw new QueueError('queue_option_invalid', `backoff.jitter must be within [0, 1], got ${jitter}`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
