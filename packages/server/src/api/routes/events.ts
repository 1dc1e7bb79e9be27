import type { FastifyInstance } from 'fastify';
import { publishEvent } from '../../actions/index.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { presentDelivery, presentMessage } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';

const tags = ['events'];
const messageParams = appRecordParams('msg');

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
      const app = await loadApp(ctx, request.params.app);
      const { type, data } = request.body;
      const result = await publishEvent(ctx, app.id, { type, data, idempotencyKey: request.headers['idempotency-key'] });
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

  api.get<{
    Params: { app: string };
    Querystring: { limit: number; after?: string; type?: string; since?: string; until?: string };
  }>(
    '/v1/apps/:app/events',
    {
      schema: {
        tags,
        summary: 'List an app’s messages, newest first',
        params: appParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            type: { type: 'string', maxLength: 256 },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf('Message'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const { type, since, until, ...page } = request.query;
      const result = await ctx.store.listMessages(
        app.id,
        { type, since: since ? Date.parse(since) : undefined, until: until ? Date.parse(until) : undefined },
        page,
      );
      return { data: result.data.map(presentMessage), nextCursor: result.nextCursor };
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
