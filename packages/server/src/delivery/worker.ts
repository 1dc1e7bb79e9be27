/**
 * The delivery loop: claims due deliveries in batches under a lease, sends each, records the
 * attempt and decides what comes next. Nothing lives only in memory: a crash leaves leases
 * that expire, and the deliveries are claimed again.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import {
  type ClaimedDelivery,
  type EndpointCredentials,
  type Network,
  newId,
  nextStep,
  type Random,
  SYSTEM_TIMERS,
  type Timers,
  TtlCache,
} from '../domain/index.js';
import { type Metrics, NO_TRACING, type OpsEvents, type TraceSpan, type Tracing } from '../ops/index.js';
import type { AdminStore, Lease, QueueStore, RecordAttemptResult, Wake } from '../store/index.js';
import { Transformer } from '../transform/index.js';
import { guardedLookup, type Resolver } from './addresses.js';
import { ClaimGate } from './claim-gate.js';
import { type ClientTls, EndpointDispatchers } from './dispatchers.js';
import { proxyConnector } from './egress-proxy.js';
import { OAuthTokens } from './oauth.js';
import { type SendContext, sendAttempt } from './send.js';

/** An endpoint's HTTP client unused for this long is closed (its connections went idle long before). */
const DISPATCHER_IDLE_MS = 60_000;
/** An endpoint's credentials are read again after this long: a change made in any process applies within it. */
const CREDENTIALS_TTL_MS = 5_000;

export interface WorkerDeps {
  store: QueueStore & Pick<AdminStore, 'endpointCredentials'>;
  config: Config['delivery'];
  allowedNetworks: readonly Network[];
  logger: Logger;
  resolve: Resolver;
  clock: () => number;
  /** The timers that go with `clock` (the poll, the stop grace); the global ones unless a test drives time. */
  timers?: Timers;
  random: Random;
  metrics?: Metrics;
  /** Raises `endpoint.disabled` and `message.attempt.exhausted` from what recording an attempt did. */
  ops?: Pick<OpsEvents, 'attemptRecorded'>;
  /** A span per attempt, in the trace of the publish that made the message; absent: none. */
  tracing?: Pick<Tracing, 'span' | 'enabled'>;
}

/** A claimed delivery of an endpoint without limits, waiting for one of its slots, and when its lease runs out. */
interface Waiting {
  item: ClaimedDelivery;
  leaseUntil: number;
}

export class DeliveryWorker {
  private active = false;
  private loop: Promise<void> | null = null;
  /** Claimed deliveries not yet done with their endpoint, by endpoint: those waiting for a slot included. */
  private inFlight = new Map<string, number>();
  /** Requests in flight by endpoint without limits of its own. */
  private readonly requests = new Map<string, number>();
  /** Claimed deliveries waiting for one of their endpoint's slots, oldest first, by endpoint. */
  private readonly waiting = new Map<string, Waiting[]>();
  /** Deliveries in flight by app, and each such app's cap as its last claim saw it. */
  private appInFlight = new Map<string, number>();
  private readonly appCaps = new Map<string, number>();
  private inFlightTotal = 0;
  private readonly sends = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Woken as the one worker chosen for a publish: work this worker cannot take on is passed on to every worker. */
  private chosen = false;
  private readonly gate: ClaimGate;
  private readonly timers: Timers;
  /** Claims started so far, and callers of `whenIdle` with the count when they asked. */
  private claims = 0;
  private idleWaiters: { after: number; resolve: () => void }[] = [];
  private readonly dispatchers: EndpointDispatchers;
  private readonly credentials: TtlCache<string, EndpointCredentials | null>;
  private readonly tokens: OAuthTokens;
  private readonly send: Omit<SendContext, 'dispatcher'>;
  private readonly transformer = new Transformer();

  constructor(private readonly deps: WorkerDeps) {
    const { config } = deps;
    this.gate = new ClaimGate(config.endpointConcurrency, config.concurrency);
    this.timers = deps.timers ?? SYSTEM_TIMERS;
    // Requests to one endpoint never pass `endpointConcurrency` (the rest of a claim waits here), so its client never queues.
    const connectTimeoutMs = Math.min(config.connectTimeoutMs, config.timeoutMs);
    const { allowedNetworks: allowed, resolve } = deps;
    this.dispatchers = new EndpointDispatchers({
      connections: config.endpointConcurrency,
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.timeoutMs,
      lookup: guardedLookup(allowed, resolve),
      idleMs: DISPATCHER_IDLE_MS,
      ...(config.egressProxy === null
        ? {}
        : {
            proxy: (tls: ClientTls | null) =>
              proxyConnector({ proxy: new URL(config.egressProxy as string), allowed, resolve, connectTimeoutMs, tls }),
          }),
    });
    this.credentials = new TtlCache(CREDENTIALS_TTL_MS, 10_000, deps.clock);
    this.tokens = new OAuthTokens(deps.clock, allowed, config.timeoutMs);
    this.send = {
      timeoutMs: config.timeoutMs,
      connectTimeoutMs: Math.min(config.connectTimeoutMs, config.timeoutMs),
      allowedNetworks: deps.allowedNetworks,
      // The event's time is the only clock a transformation sees, and the message id seeds its Math.random.
      transform: (claimed, request) =>
        this.transformer.transform(
          claimed.endpoint.id,
          claimed.endpoint.transformation ?? '',
          request,
          claimed.message.createdAt,
          seedOf(claimed.message.id),
        ),
    };
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  /**
   * Something became due (a publish, a retry by hand): look now rather than at the next poll. A worker `chosen` among
   * several for a publish wakes the others when it has no free slot or its claim comes back full.
   */
  wake(wake: Wake = 'every'): void {
    if (wake === 'chosen') this.chosen = true;
    this.hint();
    this.resume();
  }

  private hint(): void {
    this.gate.hint();
  }

  /**
   * Resolves once the worker has looked for work after this call and found none, with no attempt in flight: from
   * then on nothing is sent until something is published, retried, or falls due. At once when the worker is stopped.
   */
  whenIdle(): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push({ after: this.claims, resolve });
      this.wake();
    });
  }

  /** A claim (number `claim`) came back empty: wake those waiting for idleness if nothing is in flight either. */
  private noteIdle(claim: number): void {
    if (this.inFlightTotal > 0 || this.idleWaiters.length === 0) return;
    const waiting = this.idleWaiters;
    this.idleWaiters = waiting.filter((w) => w.after >= claim);
    for (const w of waiting) if (w.after < claim) w.resolve();
  }

  private resume(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming, gives back the deliveries waiting for a slot, lets in-flight attempts finish for up to `graceMs`,
   * then drops the rest to their leases.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.wake();
    await this.loop;
    const waiting = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const { item } of waiting) this.finished(item);
    await this.release(waiting.map(({ item }) => item));
    let graceTimer: unknown;
    const grace = new Promise((resolve) => {
      graceTimer = this.timers.setTimeout(() => resolve(undefined), graceMs);
    });
    await Promise.race([Promise.allSettled([...this.sends]), grace]);
    this.timers.clearTimeout(graceTimer);
    await this.dispatchers.destroy();
    await this.transformer.close();
    for (const w of this.idleWaiters.splice(0)) w.resolve();
  }

  /** Whether the loop is claiming; false before start and after stop. */
  get running(): boolean {
    return this.active;
  }

  private async run(): Promise<void> {
    const { store, config, logger } = this.deps;
    while (this.active) {
      this.woken = false;
      // Chosen for a publish before this claim; one chosen meanwhile is answered by the next.
      const chosen = this.chosen;
      this.chosen = false;
      const free = config.concurrency - this.inFlightTotal;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0 && this.gate.mayFindWork) {
        // A copy: sends that finish while the claim runs must not change what the claim was asked.
        const inFlight = new Map(this.inFlight);
        const appInFlight = new Map(this.appInFlight);
        const { limit, endpointCap } = this.gate.claimStarting(free, { inFlight, appInFlight, appCaps: this.appCaps });
        const claim = ++this.claims;
        const now = this.deps.clock();
        let claimFailed = false;
        try {
          claimed = await store.claimDueDeliveries({
            now,
            limit,
            leaseMs: config.leaseMs,
            endpointCap,
            limitedEndpointCap: config.endpointConcurrency,
            inFlight,
            appCap: config.appConcurrency,
            appInFlight,
          });
        } catch (error) {
          logger.error({ err: error }, 'claiming deliveries failed; trying again after the poll interval');
          claimFailed = true;
        }
        for (const item of claimed) this.launch(item, now + config.leaseMs);
        // A claim short of its limit took all it could, and a refill all there was to refill: look again only once
        // that can find more.
        if (claimed.length < free) {
          this.gate.exhausted(
            { inFlight, appInFlight, claimed: claimed.map((c) => ({ endpointId: c.endpoint.id, appId: c.delivery.appId })) },
            { inFlight: this.inFlight, appInFlight: this.appInFlight, appCaps: this.appCaps },
          );
        }
        if (claimed.length === 0 && !claimFailed) this.noteIdle(claim);
      }
      // No free slot, or a full claim: there may be more than this worker can take, so every worker looks.
      if (chosen && claimed.length === free) void store.wakeEvery().catch(() => {});
      if (claimed.length === free && free > 0) continue;
      await this.idle();
    }
  }

  /** Waits for a wake-up, a freed slot, or the next due time, whichever comes first. */
  private async idle(): Promise<void> {
    if (this.woken || !this.active) return;
    const { store, config, clock } = this.deps;
    let wait = config.pollIntervalMs;
    try {
      // Deliveries due already wait for a slot to free up, which wakes the loop; so look only ahead.
      const now = clock();
      const due = await store.nextDueAfter(now);
      if (due !== null) wait = Math.min(wait, due - now);
    } catch {
      // The claim that follows reports store trouble.
    }
    if (this.woken) return;
    const { timers } = this;
    await new Promise<void>((resolve) => {
      const timer = timers.setTimeout(
        () => {
          // Time passing makes retries and expired leases due.
          this.hint();
          finish();
        },
        Math.max(1, wait),
      );
      function finish() {
        timers.clearTimeout(timer);
        resolve();
      }
      this.wakeUp = finish;
    });
    this.wakeUp = null;
  }

  /** Takes on a claimed delivery: sent now, or once its endpoint has a slot (an endpoint without limits, at its cap). */
  private launch(item: ClaimedDelivery, leaseUntil: number): void {
    const endpointId = item.endpoint.id;
    const { appId } = item.delivery;
    this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + 1);
    this.appInFlight.set(appId, (this.appInFlight.get(appId) ?? 0) + 1);
    this.appCaps.set(appId, item.appCap);
    this.inFlightTotal++;
    const requests = this.requests.get(endpointId) ?? 0;
    if (item.endpoint.limited) this.attemptNow(item);
    else if (requests < this.deps.config.endpointConcurrency) {
      this.requests.set(endpointId, requests + 1);
      this.attemptNow(item);
    } else {
      const queue = this.waiting.get(endpointId);
      if (queue) queue.push({ item, leaseUntil });
      else this.waiting.set(endpointId, [{ item, leaseUntil }]);
    }
  }

  /**
   * An endpoint's request is over: its slot goes to the next delivery waiting for it, one whose lease still covers a
   * whole attempt. One that waited longer (its endpoint's requests all hung) is given back, to be claimed afresh.
   */
  private nextRequest(endpointId: string): void {
    const queue = this.waiting.get(endpointId) ?? [];
    const stale: ClaimedDelivery[] = [];
    let next: ClaimedDelivery | null = null;
    while (next === null && this.active && queue.length > 0) {
      const waiting = queue.shift() as Waiting;
      if (this.deps.clock() + this.deps.config.timeoutMs < waiting.leaseUntil) next = waiting.item;
      else stale.push(waiting.item);
    }
    if (queue.length === 0) this.waiting.delete(endpointId);
    if (next) this.attemptNow(next);
    else countDown(this.requests, endpointId);
    if (stale.length === 0) return;
    for (const item of stale) this.finished(item);
    // Due again at once: the worker looks for them, and for whatever else their slots let it take.
    void this.release(stale).then(() => this.wake());
  }

  /** Gives leases back to the store; what fails to go back is left to run out. */
  private async release(items: ClaimedDelivery[]): Promise<void> {
    if (items.length === 0) return;
    const leases: Lease[] = items.map((item) => ({ deliveryId: item.delivery.id, leaseToken: item.leaseToken }));
    await this.deps.store
      .releaseClaims(leases, this.deps.clock())
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'giving back claimed deliveries failed; their leases run out'),
      );
  }

  /** A delivery claimed and never sent leaves the counts, as one whose attempt finished would. */
  private finished(item: ClaimedDelivery): void {
    this.slotBack(item);
    this.inFlightTotal--;
  }

  /** The delivery no longer holds its endpoint's or its app's slot; claims again if that makes work claimable. */
  private slotBack(item: ClaimedDelivery): void {
    const endpointId = item.endpoint.id;
    const { appId } = item.delivery;
    const left = countDown(this.inFlight, endpointId);
    const appCap = this.appCaps.get(appId) ?? item.appCap;
    const appLeft = countDown(this.appInFlight, appId);
    if (appLeft === 0) this.appCaps.delete(appId);
    const slot = { endpointId, left, limited: item.endpoint.limited, appId, appLeft, appCap };
    if (this.gate.slotFreed(slot)) this.resume();
  }

  /** Sends a claimed delivery and records its attempt. */
  private attemptNow(item: ClaimedDelivery): void {
    let slotsBack = false;
    // The endpoint's and the app's slots are for requests on the wire: given back once the response is in, so the next
    // request starts while the attempt is recorded. An endpoint with limits of its own (FIFO, most in flight, a rate)
    // keeps its slot until then: the store counts its leases, and the record is what lets its next delivery go.
    const requestDone = () => {
      if (slotsBack) return;
      slotsBack = true;
      if (!item.endpoint.limited) this.nextRequest(item.endpoint.id);
      this.slotBack(item);
    };
    const done = this.deliver(item, item.endpoint.limited ? () => {} : requestDone)
      // Whatever went wrong, the lease runs out and the delivery is attempted again.
      .catch((error: unknown) => this.deps.logger.error({ err: error, deliveryId: item.delivery.id }, 'delivery attempt crashed'))
      .finally(() => {
        this.inFlightTotal--;
        this.sends.delete(done);
        // Someone waits for idleness: the worker must look once more after this, to say it found nothing.
        if (this.idleWaiters.length > 0) this.hint();
        requestDone();
        // A claim held back by the process's own cap may go now.
        if (this.gate.mayFindWork) this.resume();
      });
    this.sends.add(done);
  }

  /** `requestDone` is called once the request is over, before its attempt is recorded. */
  private deliver(item: ClaimedDelivery, requestDone: () => void): Promise<void> {
    const tracing = this.deps.tracing ?? NO_TRACING;
    if (!tracing.enabled) return this.attempt(item, NO_TRACING.active(), requestDone);
    const { delivery, message, endpoint } = item;
    const attributes = {
      'hookd.message.id': message.id,
      'hookd.event.type': message.type,
      'hookd.app.id': delivery.appId,
      'hookd.delivery.id': delivery.id,
      'hookd.endpoint.id': endpoint.id,
      'hookd.attempt.number': delivery.attemptCount + 1,
      'http.request.method': 'POST',
    };
    // The parent is the publish (or ingest) span kept with the message, whichever process made it and however long ago.
    const how = { kind: 'client', parent: message.trace ?? null, attributes } as const;
    return tracing.span('hookd.attempt', how, (span) => this.attempt(item, span, requestDone));
  }

  private async attempt(item: ClaimedDelivery, span: TraceSpan, requestDone: () => void): Promise<void> {
    const { store, clock, logger } = this.deps;
    const { delivery } = item;
    const number = delivery.attemptCount + 1;
    const startedAt = clock();
    const endpointId = item.endpoint.id;
    const credentials = await this.credentials.get(
      endpointId,
      async () => (await store.endpointCredentials([endpointId])).get(endpointId) ?? null,
    );
    const certificate = credentials?.clientCertificate ?? null;
    const tls: ClientTls | null = certificate && {
      cert: certificate.certificate,
      key: certificate.privateKey,
      ...(certificate.ca === null ? {} : { ca: certificate.ca }),
    };
    const report = await this.dispatchers.with(endpointId, tls, (dispatcher) =>
      sendAttempt(item, number, startedAt, {
        ...this.send,
        dispatcher,
        credentials,
        tokens: this.tokens,
        trace: item.endpoint.sendTraceContext ? span.context() : null,
      }),
    );
    requestDone();
    const now = clock();
    if (report.cancelled) {
      // The transformation said not to send it: skipped, not failed, and never retried.
      const skipped = await store
        .skipClaimedDelivery({ deliveryId: delivery.id, leaseToken: item.leaseToken, reason: 'transformation: cancelled', now })
        .catch((error: unknown) => {
          logger.error({ deliveryId: delivery.id, err: error }, 'skipping the delivery failed; it will be tried again');
          return false;
        });
      if (skipped)
        logger.info({ messageId: item.message.id, deliveryId: delivery.id }, 'skipped: the transformation cancelled it');
      return;
    }
    const next = nextStep(report.result, {
      attemptsInRun: delivery.attemptsInRun,
      policy: { scheduleMs: this.deps.config.retryScheduleMs, jitter: this.deps.config.jitter },
      random: this.deps.random,
      now,
    });
    const status = report.result.kind === 'response' ? report.result.status : null;
    const log = {
      messageId: item.message.id,
      deliveryId: delivery.id,
      endpointId: item.endpoint.id,
      attempt: number,
      status,
      error: report.error,
      durationMs: now - startedAt,
      outcome: next.status,
    };
    span.set({ 'hookd.attempt.duration_ms': log.durationMs, 'hookd.attempt.outcome': next.status });
    if (status !== null) span.set({ 'http.response.status_code': status });
    if (report.error) span.fail(report.error.code, report.error.message);
    let recorded: RecordAttemptResult;
    try {
      recorded = await store.recordAttempt({
        attempt: {
          id: newId('atm', startedAt),
          deliveryId: delivery.id,
          number,
          startedAt,
          durationMs: now - startedAt,
          requestHeaders: report.requestHeaders,
          responseStatus: status,
          responseBody: report.responseBody,
          responseHeaders: report.responseHeaders,
          requestBody: report.requestBody,
          error: report.error,
        },
        leaseToken: item.leaseToken,
        next,
        now,
        disableAfterMs: this.deps.config.disableAfterMs,
      });
    } catch (error) {
      // The lease runs out and the delivery is attempted again: at least once, never lost.
      logger.error({ ...log, err: error }, 'recording the attempt failed; the delivery will be retried');
      return;
    }
    this.deps.metrics?.attemptRecorded(next, now - startedAt, report.error?.code ?? null);
    if (next.status === 'succeeded') logger.info(log, 'delivered');
    else if (next.status === 'pending') logger.info(log, 'attempt failed; retry scheduled');
    else logger.warn({ ...log, disabledEndpoint: next.disableEndpoint }, 'delivery failed for good');
    await this.deps.ops
      ?.attemptRecorded({
        appId: delivery.appId,
        endpointId: item.endpoint.id,
        url: item.endpoint.url,
        messageId: item.message.id,
        eventType: item.message.type,
        deliveryId: delivery.id,
        attemptNumber: number,
        responseStatus: status,
        error: report.error,
        next,
        recorded,
        now,
      })
      // The attempt is recorded whatever happens here: an ops event that could not be published is only logged.
      .catch((error: unknown) => logger.error({ ...log, err: error }, 'raising an ops event failed'));
  }
}

/** One fewer under `key`, which leaves the map at zero; the count left. */
function countDown(counts: Map<string, number>, key: string): number {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
  return left;
}

/** A 32-bit seed from an id: the same message gets the same Math.random on every attempt. */
function seedOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}
