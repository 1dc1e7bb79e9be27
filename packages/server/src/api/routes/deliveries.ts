import type { FastifyInstance } from 'fastify';
import { retryDelivery } from '../../actions/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../domain/index.js';
import { requesterOf } from '../auth.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { presentAttempt, presentDelivery } from '../present.js';
import { commonErrors, pageOf, pageQuery, ref } from '../schemas.js';

const tags = ['deliveries'];
const deliveryParams = appRecordParams('dlv');
const deliveryWithAttempts = {
  allOf: [
    ref('Delivery'),
    { type: 'object', properties: { attempts: { type: 'array', items: ref('Attempt') } }, required: ['attempts'] },
  ],
} as const;

export function deliveryRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{
    Params: { app: string };
    Querystring: { limit: number; after?: string; status?: DeliveryStatus; endpoint?: string };
  }>(
    '/v1/apps/:app/deliveries',
    {
      schema: {
        tags,
        summary: 'List an app’s deliveries, newest first, by status or endpoint',
        params: appParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            status: { type: 'string', enum: DELIVERY_STATUSES },
            endpoint: { type: 'string', maxLength: 64 },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf('Delivery'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const { status, endpoint, ...page } = request.query;
      const result = await ctx.store.listDeliveries(app.id, { status, endpointId: endpoint }, page);
      return { data: result.data.map(presentDelivery), nextCursor: result.nextCursor };
    },
  );

  api.get<{ Params: { app: string; dlv: string } }>(
    '/v1/apps/:app/deliveries/:dlv',
    {
      schema: {
        tags,
        summary: 'Get a delivery with every attempt',
        params: deliveryParams,
        response: { 200: deliveryWithAttempts, ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const delivery = await ctx.store.findDelivery(app.id, request.params.dlv);
      if (!delivery)
        throw new ApiError(
          'delivery_not_found',
          `app ${request.params.app} has no delivery ${JSON.stringify(request.params.dlv)}`,
        );
      const attempts = await ctx.store.listAttempts(delivery.id);
      return { ...presentDelivery(delivery), attempts: attempts.map(presentAttempt) };
    },
  );

  api.post<{ Params: { app: string; dlv: string } }>(
    '/v1/apps/:app/deliveries/:dlv/retry',
    {
      schema: {
        tags,
        summary: 'Attempt a delivery again now, with a fresh retry schedule',
        params: deliveryParams,
        response: { 202: ref('Delivery'), 409: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      return reply.code(202).send(presentDelivery(await retryDelivery(ctx, requesterOf(request), app.id, request.params.dlv)));
    },
  );
}
