import type { FastifyInstance } from 'fastify';
import { publishTo, searchMessages } from '../../actions/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus, SEARCH_LIMITS } from '../../domain/index.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { presentDelivery, presentMessage } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';

const tags = ['events'];
const messageParams = appRecordParams('msg');

interface ListQuery {
  limit: number;
  after?: string;
  before?: string;
  id?: string;
  idempotencyKey?: string;
  type?: string;
  endpoint?: string;
  status?: DeliveryStatus;
  since?: string;
  until?: string;
  where?: string[];
}

const messagePage = {
  type: 'object',
  properties: {
    data: { type: 'array', items: ref('Message') },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `after` for older messages; null on the oldest page.' },
    prevCursor: { type: ['string', 'null'], description: 'Pass as `before` for newer messages; null on the newest page.' },
    search: {
      type: ['object', 'null'],
      description: 'How the content criteria were searched; null without `where`.',
      properties: {
        indexed: { type: 'boolean' },
        scanLimit: {
          type: ['integer', 'null'],
          description: 'Without an index: how many of the app’s newest messages were searched; older ones were not.',
        },
      },
      required: ['indexed', 'scanLimit'],
    },
  },
  required: ['data', 'nextCursor', 'prevCursor', 'search'],
} as const;

export function eventRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string }; Body: { type: string; data: unknown }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/apps/:app/events',
    {
      schema: {
        tags,
        summary: 'Publish an event to every endpoint subscribed to its type',
        description:
          'Answers 202 once the message and its deliveries are committed, before any delivery. ' +
          'The same Idempotency-Key within the window answers with the first message and publishes nothing.',
        params: appParams,
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL } },
        },
        body: {
          type: 'object',
          properties: { type: { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL }, data: {} },
          required: ['type', 'data'],
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: {
              id: { type: 'string', description: 'The message id, sent as `webhook-id`.' },
              type: { type: 'string' },
              timestamp: { type: 'string', format: 'date-time' },
              deliveries: {
                type: 'integer',
                description: 'Deliveries to attempt; 0 when the Idempotency-Key was seen before.',
              },
              skipped: {
                type: 'integer',
                description:
                  'Endpoints of the event’s type that it skipped (their filter did not match): each has a `skipped` ' +
                  'delivery with the reason, and nothing is sent to it.',
              },
              duplicate: { type: 'boolean' },
            },
            required: ['id', 'type', 'timestamp', 'deliveries', 'skipped', 'duplicate'],
          },
          422: ref('Error'),
          413: ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { type, data } = request.body;
      const idempotencyKey = request.headers['idempotency-key'];
      const result = await publishTo(ctx, request.params.app, { type, data, idempotencyKey, trace: request.headers });
      if (result.duplicate) reply.header('idempotent-replayed', 'true');
      const { message } = result;
      return reply.code(202).send({
        id: message.id,
        type: message.type,
        timestamp: new Date(message.createdAt).toISOString(),
        deliveries: result.deliveries,
        skipped: result.skipped,
        duplicate: result.duplicate,
      });
    },
  );

  api.get<{ Params: { app: string }; Querystring: ListQuery }>(
    '/v1/apps/:app/events',
    {
      schema: {
        tags,
        summary: 'Find an app’s messages, newest first, by their facts and their content',
        description:
          'Every criterion given must hold. `where` searches the payload as delivered: `path:value`, the path ' +
          'dot-separated keys from the body’s root (`data.order_id`), the value a JSON scalar (`1234` is the number, ' +
          '`"1234"` the string, a bare word such as `paid` a string, `true`, `false`, `null`); repeat `where` (up to 4) ' +
          'for several. On PostgreSQL every path is indexed; on SQLite the paths in HOOKD_SEARCH_FIELDS are, and a ' +
          'search on any other looks through the app’s newest 50,000 messages only, which `search.scanLimit` says. ' +
          'A malformed search answers 400 `invalid_search`. Pages go both ways: `nextCursor` as `after` for older ' +
          'messages, `prevCursor` as `before` for newer ones.',
        params: appParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            before: { type: 'string', maxLength: 64, description: 'The `prevCursor` of the page after it: newer messages.' },
            id: { type: 'string', maxLength: 64, description: 'The message id (`webhook-id`).' },
            idempotencyKey: { type: 'string', maxLength: 256, description: 'The Idempotency-Key it was published with.' },
            type: { type: 'string', maxLength: 256 },
            endpoint: { type: 'string', maxLength: 64, description: 'Only messages with a delivery to this endpoint id.' },
            status: {
              type: 'string',
              enum: [...DELIVERY_STATUSES],
              description: 'Only messages with a delivery in this status (to `endpoint`, when given too).',
            },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            where: {
              type: 'array',
              maxItems: SEARCH_LIMITS.criteria,
              items: { type: 'string', maxLength: 400, pattern: NO_NUL },
              description: 'Content criteria, `path:value` each, e.g. `data.order_id:1234`.',
            },
          },
          additionalProperties: false,
        },
        response: { 200: messagePage, ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const { limit, after, before, endpoint, since, until, ...facts } = request.query;
      const search = {
        ...facts,
        endpointId: endpoint,
        since: since ? Date.parse(since) : undefined,
        until: until ? Date.parse(until) : undefined,
      };
      const result = await searchMessages(ctx, app.id, search, { limit, after, before });
      return {
        data: result.data.map(presentMessage),
        nextCursor: result.nextCursor,
        prevCursor: result.prevCursor,
        search: result.search,
      };
    },
  );

  api.get<{ Params: { app: string; msg: string } }>(
    '/v1/apps/:app/events/:msg',
    { schema: { tags, summary: 'Get a message', params: messageParams, response: { 200: ref('Message'), ...commonErrors } } },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const message = await ctx.store.findMessage(app.id, request.params.msg);
      if (!message)
        throw new ApiError('message_not_found', `app ${request.params.app} has no message ${JSON.stringify(request.params.msg)}`);
      return presentMessage(message);
    },
  );

  api.get<{ Params: { app: string; msg: string }; Querystring: { limit: number; after?: string } }>(
    '/v1/apps/:app/events/:msg/deliveries',
    {
      schema: {
        tags,
        summary: 'List the deliveries of a message, one per endpoint',
        params: messageParams,
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf('Delivery'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const message = await ctx.store.findMessage(app.id, request.params.msg);
      if (!message) throw new ApiError('message_not_found');
      const page = await ctx.store.listDeliveries(app.id, { messageId: message.id }, request.query);
      return { data: page.data.map(presentDelivery), nextCursor: page.nextCursor };
    },
  );
}
