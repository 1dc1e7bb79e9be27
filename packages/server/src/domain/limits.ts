/**
 * Delivery limits an endpoint may ask for: a rate (deliveries started per second), a cap on deliveries in flight
 * across every worker, and FIFO (one at a time, in publish order). The stores enforce them when claiming, under a
 * lock on the endpoint's row, with these rules.
 */

export interface EndpointLimits {
  /** Deliveries started per second, at most; null: no limit. */
  rateLimit: number | null;
  /** Deliveries in flight at once across all workers, at most; null: only each worker's own cap. */
  maxInFlight: number | null;
  /** One delivery in flight at a time, in publish order; a failing one holds back those after it. */
  fifo: boolean;
}

export const NO_LIMITS: EndpointLimits = { rateLimit: null, maxInFlight: null, fifo: false };

/**
 * A rate-limited endpoint gets its starts in batches covering this much time, so a worker claims for it about ten
 * times a second rather than once per delivery; over any second the count stays at the rate.
 */
const RATE_BATCH_MS = 100;

export interface AllowanceInput {
  limits: EndpointLimits;
  /** Deliveries of the endpoint leased by any worker and not yet recorded. */
  inFlightEverywhere: number;
  /** Deliveries of the endpoint this worker has in flight, and the most it keeps in flight for one endpoint. */
  inFlightHere: number;
  capHere: number;
  /** When the rate lets the endpoint's next delivery start; null when it never started one. */
  rateNextAt: number | null;
  now: number;
}

/** How many deliveries of a limited endpoint one claim may lease now. */
export function claimAllowance(input: AllowanceInput): number {
  const { limits, now } = input;
  let allowed = input.capHere - input.inFlightHere;
  if (limits.fifo) allowed = Math.min(allowed, input.inFlightEverywhere === 0 ? 1 : 0);
  if (limits.maxInFlight !== null) allowed = Math.min(allowed, limits.maxInFlight - input.inFlightEverywhere);
  if (limits.rateLimit !== null) {
    if ((input.rateNextAt ?? now) > now) return 0;
    allowed = Math.min(allowed, Math.max(1, Math.floor((limits.rateLimit * RATE_BATCH_MS) / 1000)));
  }
  return Math.max(0, allowed);
}

/** The time the rate lets the next delivery start, once `started` more have started at `now`. */
export function rateNextAt(rateLimit: number, previous: number | null, started: number, now: number): number {
  // Counting from the slot, not from when the claim came, keeps a claim that runs late from slowing the rate down;
  // an endpoint idle for a while saves up no more than half a batch.
  const from = Math.max(previous ?? now, now - RATE_BATCH_MS / 2);
  return Math.round(from + (started * 1000) / rateLimit);
}
