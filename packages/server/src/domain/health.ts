/** Endpoint health: when an endpoint that keeps failing is disabled, and the figures its stats show. */

export interface HealthWindow {
  attempts: number;
  /** Attempts answered with a 2xx. */
  successes: number;
  /** successes / attempts; null with no attempts. */
  successRate: number | null;
  /** Latency, in ms, of the attempts that got an answer (any status); null when none did. */
  latencyMs: { p50: number | null; p95: number | null };
}

export interface EndpointHealth {
  /** Start of the current run of failures (no success since); null when the last attempt succeeded or none failed. */
  failingSince: number | null;
  windows: { '1h': HealthWindow; '24h': HealthWindow };
}

export const HEALTH_WINDOWS_MS = { '1h': 3_600_000, '24h': 86_400_000 } as const;
export const LATENCY_PERCENTILES = { p50: 0.5, p95: 0.95 } as const;

/** Where the attempt that settles a failure run starts or ends: a success clears it, the first failure opens it. */
export function nextFailingSince(failingSince: number | null, succeeded: boolean, attemptStartedAt: number): number | null {
  if (succeeded) return null;
  return failingSince ?? attemptStartedAt;
}

/**
 * Why the endpoint is to be disabled now, or null: it has failed without a single success for `disableAfterMs`.
 * Undefined `disableAfterMs` never disables.
 */
export function autoDisableReason(failingSince: number | null, now: number, disableAfterMs: number | undefined): string | null {
  if (failingSince === null || disableAfterMs === undefined) return null;
  if (now - failingSince < disableAfterMs) return null;
  return `failed without a success since ${new Date(failingSince).toISOString()}`;
}

/** 1-based rank of the nearest-rank percentile `p` among `n` sorted values (what SQL's percentile_disc picks). */
export function percentileRank(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil(p * n)));
}

export function healthWindow(attempts: number, successes: number, p50: number | null, p95: number | null): HealthWindow {
  return { attempts, successes, successRate: attempts === 0 ? null : successes / attempts, latencyMs: { p50, p95 } };
}
