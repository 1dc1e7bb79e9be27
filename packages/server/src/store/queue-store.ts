/**
 * The delivery worker's queue: leasing due deliveries, recording what each attempt did, and knowing when the next one
 * falls due. Publishing (what fills the queue) belongs to the admin role, with the rest of what the API writes.
 */
import type { Attempt, ClaimedDelivery, NextStep } from '../domain/index.js';

export interface ClaimInput {
  now: number;
  limit: number;
  leaseMs: number;
  /** Most deliveries one endpoint may have claimed by this worker at once, counting `inFlight`. */
  endpointCap: number;
  /**
   * The same for an endpoint with limits of its own (FIFO, most in flight, a rate), whose claimed deliveries all start
   * at once; unset: `endpointCap`. A worker may hold more of another endpoint than its requests in flight, the rest
   * waiting for a slot.
   */
  limitedEndpointCap?: number;
  /** This worker's claimed deliveries not yet done, by endpoint. Endpoints with limits also count every other worker's. */
  inFlight: ReadonlyMap<string, number>;
  /**
   * Most deliveries of one app this worker keeps in flight, counting `appInFlight`, unless the app sets its own
   * `maxInFlight`; unset: no cap beyond the app's own.
   */
  appCap?: number;
  /** This worker's deliveries in flight, by app. */
  appInFlight?: ReadonlyMap<string, number>;
}

/** What `appCap` stands for when unset: more than any worker keeps in flight (and within a PostgreSQL int). */
export const NO_APP_CAP = 2_147_483_647;

export interface RecordAttemptInput {
  attempt: Attempt;
  leaseToken: string;
  next: NextStep;
  now: number;
  /**
   * A failed attempt disables the endpoint when it has failed without a success for this long (its reason recorded,
   * its pending deliveries failed). Unset: failures are tracked but never disable.
   */
  disableAfterMs?: number;
}

export interface RecordAttemptResult {
  /** True when the lease was still this worker's and the delivery moved on (to succeeded, failed or a retry). */
  finished: boolean;
  /** The reason when this very call disabled the endpoint (410 Gone, or failing too long); null otherwise. */
  disabled: string | null;
}

/** A claimed delivery, by its lease. */
export interface Lease {
  deliveryId: string;
  leaseToken: string;
}

export interface SkipClaimedInput {
  deliveryId: string;
  leaseToken: string;
  /** Shown with the delivery (`transformation: cancelled`, say). */
  reason: string;
  now: number;
}

/**
 * Who a wake-up from another process is for: `every` worker, or the one worker `chosen` among those listening, which
 * passes it on to every worker (`wakeEvery`) when it cannot take the work on.
 */
export type Wake = 'every' | 'chosen';

/** What `delivery/` uses, and `watchDue`, which wakes it when another process made work. */
export interface QueueStore {
  /** Leases due deliveries: each becomes due again at `now + leaseMs` unless recorded first. */
  claimDueDeliveries(input: ClaimInput): Promise<ClaimedDelivery[]>;
  /**
   * Saves the attempt and moves the delivery on, if the lease is still this worker's. Says whether it did, and
   * whether this call disabled the endpoint: of several racing calls, only the one that disabled it learns the reason.
   */
  recordAttempt(input: RecordAttemptInput): Promise<RecordAttemptResult>;
  /**
   * Marks a claimed delivery `skipped` with its reason, without an attempt, if the lease is still this worker's (true
   * when it did). The endpoint's health is untouched: a skip is no failure.
   */
  skipClaimedDelivery(input: SkipClaimedInput): Promise<boolean>;
  /**
   * Gives back claimed deliveries the worker will not attempt (it is stopping, or one waited for a slot until its lease
   * could no longer cover an attempt): each still under its lease is due again at `now`, for any worker to claim.
   */
  releaseClaims(leases: readonly Lease[], now: number): Promise<void>;
  /**
   * The first time after `now` when a pending delivery falls due, or null if none will. Leases included, on PostgreSQL
   * those among the soonest due deliveries only: the worker's poll finds one further back that runs out.
   */
  nextDueAfter(now: number): Promise<number | null>;
  /**
   * Calls `listener` when another process may have made deliveries due (a publish, a retry) and
   * resolves to a function that stops listening. A store only one process uses may never call it. A publish wakes one
   * worker of those listening (`chosen`); other changes, and a reconnection, wake them all (`every`).
   */
  watchDue(listener: (wake: Wake) => void): Promise<() => Promise<void>>;
  /** Wakes every worker listening, in every process: what a chosen worker does with work it cannot take on. */
  wakeEvery(): Promise<void>;
}
