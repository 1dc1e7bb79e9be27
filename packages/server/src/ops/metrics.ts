/**
 * Prometheus metrics. Labels stay low-cardinality (never an endpoint, app or message id), so one
 * scrape stays small whatever the number of tenants. Queue figures are read from the store at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ATTEMPT_ERROR_CODES, type AttemptErrorCode, type NextStep } from '../domain/index.js';
import type { OpsStore } from '../store/index.js';
import { OPS_EVENT_TYPES, type OpsEventType } from './event-types.js';

/** What an attempt led to: delivered, to be retried, or given up on. */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

export interface Metrics {
  registry: Registry;
  messagePublished(): void;
  /** A publish or an ingest made this many `skipped` deliveries (endpoints its filter held back). */
  deliveriesSkipped(count: number): void;
  /** `errorCode`: why the attempt failed (domain/attempt-errors.ts), null when it succeeded. */
  attemptRecorded(next: NextStep, durationMs: number, errorCode: AttemptErrorCode | null): void;
  /** An ops event was published into the hookd-ops app. */
  opsEventPublished(type: OpsEventType): void;
  /** A source took a webhook in: a new event, or a duplicate of one it already has. */
  inboundAccepted(duplicate: boolean): void;
  /** A source refused a webhook; `reason` is the error code it answered with. */
  inboundRefused(reason: string): void;
}

const OUTCOMES: Record<NextStep['status'], AttemptOutcome> = { succeeded: 'succeeded', pending: 'retrying', failed: 'failed' };

export function createMetrics(store: Pick<OpsStore, 'queueStats'>, clock: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookd_' });
  const published = new Counter({
    name: 'hookd_messages_published_total',
    help: 'Messages accepted by publish (Idempotency-Key repeats not counted)',
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'hookd_deliveries_skipped_total',
    help: 'Deliveries made as skipped at fan-out (an endpoint filter held the message back): never attempted',
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'hookd_delivery_attempts_total',
    help: 'Delivery attempts by what they led to: succeeded, retrying (another attempt scheduled) or failed (given up)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hookd_delivery_attempt_duration_seconds',
    help: 'Time from sending an attempt to having its answer (or its error)',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const attemptErrors = new Counter({
    name: 'hookd_delivery_attempt_errors_total',
    help: 'Failed delivery attempts by code (connect_timeout, http_status, …: the attempt error codes in the README)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  // The list of codes is closed, so every one shows from the first scrape at 0 and the label stays small.
  for (const code of ATTEMPT_ERROR_CODES) attemptErrors.inc({ code }, 0);
  const inboundAccepted = new Counter({
    name: 'hookd_inbound_accepted_total',
    help: 'Webhooks sources accepted, by whether each was new or a duplicate of a delivery id already kept',
    labelNames: ['duplicate'] as const,
    registers: [registry],
  });
  const inboundRefusals = new Counter({
    name: 'hookd_inbound_refusals_total',
    help: 'Webhooks sources refused, by reason (the error code answered: signature_invalid, rate_limited, …)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  inboundAccepted.inc({ duplicate: 'false' }, 0);
  const opsEvents = new Counter({
    name: 'hookd_ops_events_total',
    help: 'Ops events published into the hookd-ops app, by type (repeats of one alert not counted)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  for (const type of OPS_EVENT_TYPES) opsEvents.inc({ type }, 0);
  // Every outcome shows from the first scrape, at 0, so rates work before the first failure.
  for (const outcome of Object.values(OUTCOMES)) {
    attempts.inc({ outcome }, 0);
    duration.zero({ outcome });
  }

  // The queue gauges share one store read per scrape.
  let reading: Promise<Awaited<ReturnType<OpsStore['queueStats']>>> | null = null;
  const queue = () => {
    reading ??= store.queueStats(clock()).finally(() => {
      reading = null;
    });
    return reading;
  };
  new Gauge({
    name: 'hookd_queue_depth',
    help: 'Pending deliveries: due (waiting for a worker) or scheduled (waiting for a retry time, or in flight)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const stats = await queue();
      this.set({ state: 'due' }, stats.due);
      this.set({ state: 'scheduled' }, stats.scheduled);
    },
  });
  new Gauge({
    name: 'hookd_oldest_due_delivery_age_seconds',
    help: 'How long the longest-waiting due delivery has been due; 0 when none is',
    registers: [registry],
    async collect() {
      const stats = await queue();
      this.set(stats.oldestDueAt === null ? 0 : Math.max(0, clock() - stats.oldestDueAt) / 1000);
    },
  });
  new Gauge({
    name: 'hookd_endpoints_disabled',
    help: 'Endpoints disabled (by a 410, by hand, or after failing for too long)',
    registers: [registry],
    async collect() {
      this.set((await queue()).disabledEndpoints);
    },
  });

  // Each attempt counts under its outcome: the labelled series, found once, not by hashing labels per attempt.
  const byOutcome = new Map<AttemptOutcome, { attempts: { inc(): void }; duration: { observe(seconds: number): void } }>();
  const seriesOf = (outcome: AttemptOutcome) => {
    let series = byOutcome.get(outcome);
    if (series === undefined) {
      series = { attempts: attempts.labels({ outcome }), duration: duration.labels({ outcome }) };
      byOutcome.set(outcome, series);
    }
    return series;
  };

  return {
    registry,
    messagePublished: () => published.inc(),
    deliveriesSkipped: (count) => skipped.inc(count),
    attemptRecorded(next, durationMs, errorCode) {
      const series = seriesOf(OUTCOMES[next.status]);
      series.attempts.inc();
      if (errorCode !== null) attemptErrors.inc({ code: errorCode });
      series.duration.observe(durationMs / 1000);
    },
    inboundAccepted(duplicate) {
      inboundAccepted.inc({ duplicate: String(duplicate) });
    },
    inboundRefused(reason) {
      inboundRefusals.inc({ reason });
    },
    opsEventPublished: (type) => opsEvents.inc({ type }),
  };
}
