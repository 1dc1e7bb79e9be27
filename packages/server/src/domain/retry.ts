/** The retry schedule: how long to wait before each attempt, with jitter, and Retry-After. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay before attempt 1, 2, …: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_SCHEDULE_MS: readonly number[] = [
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

export const DEFAULT_JITTER = 0.2;

export interface RetryPolicy {
  scheduleMs: readonly number[];
  /** Fraction of each delay added or removed at random (0.2 = ±20%). */
  jitter: number;
}

/** A number in [0, 1); injected so tests are exact. */
export type Random = () => number;

/**
 * The wait before the next attempt after `attemptsInRun` failed attempts of this run,
 * or null when the schedule is exhausted. A Retry-After (ms) is honoured as a lower bound,
 * capped at the schedule's longest delay so a receiver cannot park a delivery forever.
 */
export function nextRetryDelay(policy: RetryPolicy, attemptsInRun: number, random: Random, retryAfterMs?: number): number | null {
  const base = policy.scheduleMs[attemptsInRun];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
  if (retryAfterMs === undefined) return jittered;
  const cap = Math.max(...policy.scheduleMs);
  return Math.max(jittered, Math.min(retryAfterMs, cap));
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
