/**
 * Whether the delivery worker's next claim can find anything, and how much: pure bookkeeping, no I/O, so a freed slot
 * costs a claim only when one can find work, an endpoint or app at its cap is refilled once half of what it held is
 * back, and a refill asks for no more than the refilled endpoints and apps can take.
 *
 * A refill may claim ahead: each endpoint without limits of its own up to twice its cap, the worker starting its cap
 * of requests and the rest as their slots come back, so the refill's round trip leaves fewer slots idle and claims
 * come in larger batches. Only a refill, when the last claim found nothing else claimable (new work comes with a hint,
 * and the claim after a hint takes each endpoint only to its cap), and only while the process has room for every
 * endpoint it serves to hold that much: deliveries waiting here must not keep the process's slots from other endpoints.
 */

/** How many times its cap an endpoint without limits may hold claimed, when a refill claims ahead. */
export const CLAIM_AHEAD = 2;

/** What a claim was asked with (in flight by endpoint and by app) and what it took. */
export interface ClaimSeen {
  inFlight: ReadonlyMap<string, number>;
  appInFlight: ReadonlyMap<string, number>;
  claimed: readonly { endpointId: string; appId: string }[];
}

/** In flight now, by endpoint and by app, and each app's cap as its last claim saw it. */
export interface InFlightNow {
  inFlight: ReadonlyMap<string, number>;
  appInFlight: ReadonlyMap<string, number>;
  appCaps: ReadonlyMap<string, number>;
}

/** Endpoints and apps given back half of what they held since a claim came back short. */
interface Refills {
  endpoints: Set<string>;
  apps: Set<string>;
}

const noRefills = (): Refills => ({ endpoints: new Set(), apps: new Set() });

export class ClaimGate {
  /**
   * False once a claim came back short: everything claimable was taken, except deliveries of endpoints at their
   * cap. A hint (a publish, a timer) or such an endpoint getting half its slots back makes it true again.
   */
  private open = true;
  /** Set by anything that makes work claimable, so a claim running meanwhile does not conclude there is none. */
  private hinted = false;
  /**
   * Endpoints that were at their cap when the last claim came back short (their backlog may be waiting), each with
   * the count in flight at which its refill is due: half of what it held.
   */
  private readonly waitingAtCap = new Map<string, number>();
  /** The same for apps at their cap. */
  private readonly appsWaitingAtCap = new Set<string>();
  /**
   * Where the next claim can find work: null, anywhere (a hint, or the last claim took all it asked for); otherwise
   * only the endpoints and apps refilled since the last claim came back short.
   */
  private refills: Refills | null = null;

  constructor(
    private readonly endpointCap: number,
    /** The process's cap on deliveries in flight, which bounds claiming ahead. */
    private readonly processCap: number,
  ) {}

  /** Whether a claim now may find work. */
  get mayFindWork(): boolean {
    return this.open;
  }

  /** Something made work claimable: a publish, a retry by hand, time passing. */
  hint(): void {
    this.open = true;
    this.hinted = true;
    this.refills = null;
  }

  /**
   * A claim starts with `free` slots: how many it should ask for (`limit`), and how many deliveries one endpoint without
   * limits may then hold (`endpointCap`). Only a refill in sight, `limit` is the room the refilled endpoints and apps
   * have: a claim asked for more would look through every other endpoint's backlog for nothing.
   */
  claimStarting(free: number, now: InFlightNow): { limit: number; endpointCap: number } {
    this.hinted = false;
    const refills = this.refills;
    if (refills === null) return { limit: free, endpointCap: this.endpointCap };
    // Refills from here on are news to this claim.
    this.refills = noRefills();
    const ahead = this.endpointCap * CLAIM_AHEAD;
    const endpointCap = now.inFlight.size * ahead <= this.processCap ? ahead : this.endpointCap;
    let room = 0;
    for (const id of refills.endpoints) room += Math.max(0, endpointCap - (now.inFlight.get(id) ?? 0));
    for (const id of refills.apps) {
      const cap = now.appCaps.get(id);
      if (cap === undefined) return { limit: free, endpointCap };
      room += Math.max(0, cap - (now.appInFlight.get(id) ?? 0));
    }
    return { limit: room > 0 ? Math.min(free, room) : free, endpointCap };
  }

  /** A refill is due: the next claim may find work at this endpoint or app. */
  private refill(kind: 'endpoints' | 'apps', id: string): void {
    this.open = true;
    this.refills?.[kind].add(id);
  }

  /** A claim came back short of its limit: it took all it could, so only endpoints or apps at their cap may have work left. */
  exhausted(seen: ClaimSeen, now: InFlightNow): void {
    const atClaim = new Map(seen.inFlight);
    const appsAtClaim = new Map(seen.appInFlight);
    for (const { endpointId, appId } of seen.claimed) {
      atClaim.set(endpointId, (atClaim.get(endpointId) ?? 0) + 1);
      appsAtClaim.set(appId, (appsAtClaim.get(appId) ?? 0) + 1);
    }
    if (this.hinted) this.open = true;
    else {
      // Not hinted since the claim started: only refills (those since then, and those below) can make work claimable.
      this.refills ??= noRefills();
      this.open = this.refills.endpoints.size + this.refills.apps.size > 0;
    }
    this.waitingAtCap.clear();
    for (const [endpointId, n] of atClaim) {
      if (n < this.endpointCap) continue;
      // Already down to half since the claim: its refill is due now.
      if ((now.inFlight.get(endpointId) ?? 0) <= n / 2) this.refill('endpoints', endpointId);
      else this.waitingAtCap.set(endpointId, n / 2);
    }
    this.appsWaitingAtCap.clear();
    for (const [appId, n] of appsAtClaim) {
      const appCap = now.appCaps.get(appId);
      if (appCap === undefined || n < appCap) continue;
      if ((now.appInFlight.get(appId) ?? 0) <= appCap / 2) this.refill('apps', appId);
      else this.appsWaitingAtCap.add(appId);
    }
  }

  /**
   * A slot came free (`left` in flight at the endpoint, `appLeft` at the app): returns whether to claim again.
   * An endpoint with limits of its own (FIFO, most in flight) may have been held back by this very delivery.
   */
  slotFreed(slot: {
    endpointId: string;
    left: number;
    limited: boolean;
    appId: string;
    appLeft: number;
    appCap: number;
  }): boolean {
    if (slot.limited) this.hint();
    const refillAt = this.waitingAtCap.get(slot.endpointId);
    if (refillAt !== undefined && slot.left <= refillAt) {
      this.waitingAtCap.delete(slot.endpointId);
      this.refill('endpoints', slot.endpointId);
    }
    if (this.appsWaitingAtCap.has(slot.appId) && slot.appLeft <= slot.appCap / 2) {
      this.appsWaitingAtCap.delete(slot.appId);
      this.refill('apps', slot.appId);
    }
    return this.open;
  }
}
