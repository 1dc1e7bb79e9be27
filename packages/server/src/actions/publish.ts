/** Publishing one event: the checks, the envelope and the outbox write behind POST /v1/apps/{app}/events and the dashboard. */
import { filterSubject, isEventTypeName, newId, skipByFilter } from '../domain/index.js';
import { type Metrics, NO_TRACING, type TraceCarrier, type TraceSpan, type Tracing } from '../ops/index.js';
import { type AdminStore, isMissingReference, type PublishResult } from '../store/index.js';
import { cachedAppId, forgetCachedAppIds, getApp } from './apps.js';
import { ApiError } from './errors.js';
import { eventTypeChecks } from './event-type-checks.js';

export interface EventToPublish {
  type: string;
  data: unknown;
  idempotencyKey?: string | null;
  /** The publisher's request headers: a `traceparent` among them makes the publish part of the caller's trace. */
  trace?: TraceCarrier;
  /** A test event for this one endpoint: no other endpoint gets it, and its envelope says `"test": true`. */
  testEndpointId?: string;
}

/** Checks the type and data, writes the message with its deliveries, and wakes the worker. Throws ApiError on refusal. */
export interface PublishDeps {
  store: Pick<AdminStore, 'publishMessage' | 'findEventType'>;
  clock: () => number;
  config: { maxPayloadBytes: number; idempotencyWindowMs: number };
  metrics: Pick<Metrics, 'messagePublished' | 'deliveriesSkipped'>;
  /** Wakes this process's worker when deliveries became due. */
  onDeliveriesDue: () => void;
  /** Absent: no spans. */
  tracing?: Pick<Tracing, 'span'>;
}

/**
 * Publishes to the app a request names by id or uid, found through the ids cachedAppId keeps: an app another process
 * deleted meanwhile fails the write on its foreign key, and answers `app_not_found` as if it had been read afresh.
 */
export async function publishTo(
  ctx: PublishDeps & { store: Pick<AdminStore, 'findApp'> },
  idOrUid: string,
  event: EventToPublish,
): Promise<PublishResult> {
  const appId = await cachedAppId(ctx, idOrUid);
  try {
    return await publishEvent(ctx, appId, event);
  } catch (error) {
    if (!isMissingReference(error)) throw error;
    forgetCachedAppIds(ctx.store);
    await getApp(ctx, idOrUid);
    throw error;
  }
}

export function publishEvent(ctx: PublishDeps, appId: string, event: EventToPublish): Promise<PublishResult> {
  const tracing = ctx.tracing ?? NO_TRACING;
  const attributes = { 'hookd.app.id': appId, 'hookd.event.type': String(event.type) };
  return tracing.span('hookd.publish', { kind: 'server', parent: event.trace ?? null, attributes }, async (span) => {
    const result = await publish(ctx, appId, event, tracing, span);
    span.set({ 'hookd.message.id': result.message.id, 'hookd.message.duplicate': result.duplicate });
    return result;
  });
}

async function publish(
  ctx: PublishDeps,
  appId: string,
  event: EventToPublish,
  tracing: Pick<Tracing, 'span'>,
  span: TraceSpan,
): Promise<PublishResult> {
  const { type, data } = event;
  if (!isEventTypeName(type)) throw new ApiError('invalid_event_type', `${JSON.stringify(type)} is not an event type name`);
  await eventTypeChecks(ctx).checkPublish(type, data); // archived type, or data its schema refuses: nothing is stored
  const now = ctx.clock();
  const timestamp = new Date(now).toISOString();
  const test = event.testEndpointId !== undefined;
  // The receiver sees the mark in the body it verifies: a test never passes for a real event.
  const payload = JSON.stringify(test ? { type, timestamp, data, test: true } : { type, timestamp, data });
  const size = Buffer.byteLength(payload);
  if (size > ctx.config.maxPayloadBytes) {
    const limit = ctx.config.maxPayloadBytes;
    throw new ApiError('payload_too_large', `the event is ${size} bytes as delivered, over the limit of ${limit}`);
  }
  const id = newId('msg', now);
  const message = {
    id,
    appId,
    type,
    payload,
    idempotencyKey: event.idempotencyKey ?? null,
    createdAt: now,
    ...(test ? { test: true } : {}),
  };
  // The fan-out: the message and one delivery per matching endpoint, in one write. The message keeps the publish
  // span's context, so every attempt of its deliveries, in any process and however late, is that span's child.
  const result = await tracing.span('hookd.fanout', { attributes: { 'hookd.message.id': id } }, async (fanout) => {
    const published = await ctx.store.publishMessage({
      message: { ...message, trace: span.context() },
      idempotencyWindowMs: ctx.config.idempotencyWindowMs,
      // The envelope as delivered, parsed once, only if some endpoint has a filter.
      skip: skipByFilter(() => filterSubject(message)),
      ...(test ? { only: event.testEndpointId } : {}),
    });
    fanout.set({ 'hookd.deliveries': published.deliveries });
    return published;
  });
  if (!result.duplicate) ctx.metrics.messagePublished();
  if (result.skipped > 0) ctx.metrics.deliveriesSkipped(result.skipped);
  if (result.deliveries > 0) ctx.onDeliveriesDue();
  return result;
}

/**
 * Sends a test event to one endpoint of the app, never fanned out: the dashboard's, the portal's and the API's "send
 * test". A disabled endpoint is refused (`endpoint_disabled`): it would get nothing.
 */
export async function sendTestEvent(
  ctx: PublishDeps & { store: Pick<AdminStore, 'findEndpoint'> },
  appId: string,
  endpointId: string,
  event: Pick<EventToPublish, 'type' | 'data'>,
): Promise<PublishResult> {
  const endpoint = await ctx.store.findEndpoint(appId, endpointId);
  if (!endpoint) throw new ApiError('endpoint_not_found');
  if (endpoint.disabledAt !== null) {
    throw new ApiError('endpoint_disabled', 'The endpoint is disabled: enable it before sending it a test event.');
  }
  return publishEvent(ctx, appId, { type: event.type, data: event.data, testEndpointId: endpoint.id });
}
