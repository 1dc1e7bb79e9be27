/** Publishing one event: the checks, the envelope and the outbox write behind POST /v1/apps/{app}/events and the dashboard. */
import { filterSubject, isEventTypeName, newId, skipByFilter } from '../domain/index.js';
import type { Metrics } from '../ops/index.js';
import type { AdminStore, PublishResult } from '../store/index.js';
import { ApiError } from './errors.js';
import { eventTypeChecks } from './event-type-checks.js';

export interface EventToPublish {
  type: string;
  data: unknown;
  idempotencyKey?: string | null;
}

/** Checks the type and data, writes the message with its deliveries, and wakes the worker. Throws ApiError on refusal. */
export interface PublishDeps {
  store: Pick<AdminStore, 'publishMessage' | 'findEventType'>;
  clock: () => number;
  config: { maxPayloadBytes: number; idempotencyWindowMs: number };
  metrics: Pick<Metrics, 'messagePublished' | 'deliveriesSkipped'>;
  /** Wakes this process's worker when deliveries became due. */
  onDeliveriesDue: () => void;
}

export async function publishEvent(ctx: PublishDeps, appId: string, event: EventToPublish): Promise<PublishResult> {
  const { type, data } = event;
  if (!isEventTypeName(type)) throw new ApiError('invalid_event_type', `${JSON.stringify(type)} is not an event type name`);
  await eventTypeChecks(ctx).checkPublish(type, data); // archived type, or data its schema refuses: nothing is stored
  const now = ctx.clock();
  const timestamp = new Date(now).toISOString();
  const payload = JSON.stringify({ type, timestamp, data });
  const size = Buffer.byteLength(payload);
  if (size > ctx.config.maxPayloadBytes) {
    const limit = ctx.config.maxPayloadBytes;
    throw new ApiError('payload_too_large', `the event is ${size} bytes as delivered, over the limit of ${limit}`);
  }
  const message = { id: newId('msg', now), appId, type, payload, idempotencyKey: event.idempotencyKey ?? null, createdAt: now };
  const result = await ctx.store.publishMessage({
    message,
    idempotencyWindowMs: ctx.config.idempotencyWindowMs,
    // The envelope as delivered, parsed once, only if some endpoint has a filter.
    skip: skipByFilter(() => filterSubject(message)),
  });
  if (!result.duplicate) ctx.metrics.messagePublished();
  if (result.skipped > 0) ctx.metrics.deliveriesSkipped(result.skipped);
  if (result.deliveries > 0) ctx.onDeliveriesDue();
  return result;
}
