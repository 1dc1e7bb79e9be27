/**
 * The live attempt stream `hookd tail` reads: Server-Sent Events, one `attempt` event per delivery attempt, for one
 * app or every app, optionally one endpoint. Resumes after `Last-Event-ID`; a new stream starts with what comes next.
 * Beside it, an endpoint's attempts log: its attempts newest first, filtered by outcome, error code and time.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getEndpoint } from '../../actions/index.js';
import { ATTEMPT_ERROR_CODES, idAt, timeOfId } from '../../domain/index.js';
import type { AttemptActivity } from '../../store/index.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { attemptErrorSchema, commonErrors, pageQuery } from '../schemas.js';
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

/** An attempts log entry: the attempt as a delivery shows it, with the facts of its delivery and message. */
export function presentLogEntry(a: AttemptActivity) {
  const { attempt } = a;
  return {
    ...presentActivity(a),
    requestHeaders: attempt.requestHeaders,
    requestBody: attempt.requestBody ?? null,
    responseHeaders: attempt.responseHeaders ?? null,
    responseBody: attempt.responseBody,
    deliveryStatus: a.deliveryStatus,
  };
}

const logEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    deliveryId: { type: 'string' },
    messageId: { type: 'string' },
    eventType: { type: 'string' },
    number: { type: 'integer' },
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: { type: 'integer' },
    responseStatus: { type: ['integer', 'null'] },
    error: attemptErrorSchema,
    outcome: {
      type: 'string',
      enum: ['succeeded', 'retrying', 'failed'],
      description: '`failed`: the delivery gave up after it; `retrying`: another attempt follows or is due.',
    },
    deliveryStatus: { type: 'string', description: 'The delivery’s status now (not when the attempt was made).' },
    requestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    requestBody: {
      type: ['string', 'null'],
      description: 'The body sent when a transformation made it; null: the message’s payload was sent as stored.',
    },
    responseHeaders: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string' },
      description: 'At most 50 headers and 4 KiB; cookies and credentials are never kept. Null when nothing answered.',
    },
    responseBody: { type: ['string', 'null'], description: 'The first 4 KiB of the response body.' },
  },
  required: [
    'id',
    'deliveryId',
    'messageId',
    'eventType',
    'number',
    'startedAt',
    'durationMs',
    'responseStatus',
    'error',
    'outcome',
    'deliveryStatus',
    'requestHeaders',
    'requestBody',
    'responseHeaders',
    'responseBody',
  ],
} as const;

type LogQuery = { limit: number; after?: string; status?: 'succeeded' | 'failed'; code?: string; since?: string; until?: string };

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
  api.get<{ Params: { app: string; ep: string }; Querystring: LogQuery }>(
    '/v1/apps/:app/endpoints/:ep/attempts',
    {
      schema: {
        tags,
        summary: 'List an endpoint’s delivery attempts, newest first, by outcome, error code and time',
        params: appRecordParams('ep'),
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            status: { type: 'string', enum: ['succeeded', 'failed'], description: '`succeeded`: answered with a 2xx.' },
            code: { type: 'string', enum: ATTEMPT_ERROR_CODES, description: 'Only attempts that failed with this code.' },
            since: { type: 'string', format: 'date-time', description: 'Attempts started at or after this time.' },
            until: { type: 'string', format: 'date-time', description: 'Attempts started before this time.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: logEntrySchema }, nextCursor: { type: ['string', 'null'] } },
            required: ['data', 'nextCursor'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const endpoint = await getEndpoint(ctx, app.id, request.params.ep);
      const { status, code, since, until, ...page } = request.query;
      const result = await ctx.store.listEndpointAttempts(endpoint.id, {
        ...page,
        status,
        errorCode: code,
        since: since ? Date.parse(since) : undefined,
        until: until ? Date.parse(until) : undefined,
      });
      return { data: result.data.map(presentLogEntry), nextCursor: result.nextCursor };
    },
  );

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
