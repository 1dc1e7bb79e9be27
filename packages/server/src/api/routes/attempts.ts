/**
 * The live attempt stream `hookd tail` reads: Server-Sent Events, one `attempt` event per delivery attempt, for one
 * app or every app, optionally one endpoint. Resumes after `Last-Event-ID`; a new stream starts with what comes next.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { idAt, timeOfId } from '../../domain/index.js';
import type { AttemptActivity } from '../../store/index.js';
import { type ApiContext, appParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { commonErrors } from '../schemas.js';
import { type SseEvent, type SseOptions, streamEvents } from '../sse.js';

const tags = ['deliveries'];
const BATCH = 200;
export function presentActivity(a: AttemptActivity) {
  const status = a.attempt.responseStatus;
  const ok = status !== null && status >= 200 && status < 300;
  const last = a.attempt.number === a.deliveryAttempts;
  return {
    id: a.attempt.id,
    appId: a.appId,
    endpointId: a.endpointId,
    url: a.url,
    deliveryId: a.attempt.deliveryId,
    messageId: a.messageId,
    eventType: a.eventType,
    number: a.attempt.number,
    startedAt: new Date(a.attempt.startedAt).toISOString(),
    durationMs: a.attempt.durationMs,
    responseStatus: status,
    error: a.attempt.error,
    /** `succeeded`, `failed` (the delivery gave up after it) or `retrying` (another attempt follows or is due). */
    outcome: ok ? 'succeeded' : last && a.deliveryStatus === 'failed' ? 'failed' : 'retrying',
  };
}

const streamSchema = {
  tags,
  summary: 'Stream delivery attempts as Server-Sent Events (`event: attempt`), as they are made',
  description:
    "Each event's data: `{id, appId, endpointId, url, deliveryId, messageId, eventType, number, startedAt, durationMs, responseStatus, error, outcome}`, " +
    'outcome being `succeeded`, `retrying` or `failed`. Send `Last-Event-ID` (or `?after=`) to resume after an attempt; ' +
    'without it the stream starts with the next attempt.',
  produces: ['text/event-stream'],
  querystring: {
    type: 'object',
    properties: {
      endpoint: { type: 'string', maxLength: 64, description: 'Only this endpoint’s attempts.' },
      after: { type: 'string', maxLength: 64, description: 'Resume after this attempt id.' },
    },
    additionalProperties: false,
  },
  response: { 200: { description: 'A stream of `attempt` events.', type: 'string' }, ...commonErrors },
} as const;

/**
 * The polls behind an attempt stream, for one app or every app, optionally one endpoint: `start` is now, `poll`
 * returns the attempts after a cursor. Attempt ids carry their start time but are stored when the attempt ends, so a
 * slow attempt can appear behind the cursor; each poll looks back over the longest an attempt can take and skips
 * what this stream already sent.
 */
export function attemptPoll(
  ctx: ApiContext,
  appId: string | undefined,
  endpointId: string | undefined,
): Pick<SseOptions, 'start' | 'poll'> {
  const lagMs = ctx.config.delivery.timeoutMs + 5_000;
  const sent = new Map<string, number>();
  let floor: string | null = null;
  // The newest attempt id seen: the stream's own cursor may step back, to an attempt the look-back found late.
  let newest: string | null = null;
  return {
    start: async () => idAt('atm', ctx.clock()),
    async poll(after) {
      // The cursor a stream starts from is a floor: what a resumed client saw, or what came before it opened.
      floor ??= after;
      if (after !== null && (newest === null || after > newest)) newest = after;
      const time = newest === null ? null : timeOfId('atm', newest);
      const lookBack = time === null ? null : idAt('atm', time - lagMs);
      let cursor = floor !== null && (lookBack === null || lookBack < floor) ? floor : lookBack;
      const events: SseEvent[] = [];
      for (;;) {
        const rows = await ctx.store.listAttemptsAfter({ appId, endpointId, afterId: cursor, limit: BATCH });
        for (const row of rows) {
          if (sent.has(row.attempt.id)) continue;
          sent.set(row.attempt.id, row.attempt.startedAt);
          events.push({ id: row.attempt.id, event: 'attempt', data: presentActivity(row) });
        }
        if (events.length > 0 || rows.length < BATCH) break;
        cursor = rows.at(-1)?.attempt.id ?? cursor;
      }
      // Forget only what the look-back can no longer reach: it never starts earlier than this one did. Forgetting by
      // the clock instead would send the last attempts again, and again, once the stream had been quiet a while.
      if (time !== null) for (const [id, at] of sent) if (at < time - lagMs) sent.delete(id);
      return events;
    },
  };
}

export function attemptRoutes(api: FastifyInstance, ctx: ApiContext): void {
  async function stream(request: FastifyRequest, reply: FastifyReply, appId: string | undefined, endpointId: string | undefined) {
    await streamEvents(request, reply, {
      ...attemptPoll(ctx, appId, endpointId),
      timers: ctx.timers,
      onPollError: (error) => ctx.logger.warn({ err: error }, 'attempt stream: a poll failed'),
    });
  }

  api.get<{ Params: { app: string }; Querystring: { endpoint?: string; after?: string } }>(
    '/v1/apps/:app/attempts/stream',
    { schema: { ...streamSchema, params: appParams } },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      const endpoint = request.query.endpoint;
      if (endpoint !== undefined && !(await ctx.store.findEndpoint(app.id, endpoint))) {
        throw new ApiError('endpoint_not_found', `app ${request.params.app} has no endpoint ${JSON.stringify(endpoint)}`);
      }
      await stream(request, reply, app.id, endpoint);
    },
  );

  api.get<{ Querystring: { endpoint?: string; after?: string } }>(
    '/v1/attempts/stream',
    { schema: { ...streamSchema, summary: 'Stream the delivery attempts of every app as Server-Sent Events' } },
    async (request, reply) => stream(request, reply, undefined, request.query.endpoint),
  );
}
