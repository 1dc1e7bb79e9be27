/** The endpoint routes: each checks its schema, calls one action, and presents what it returns. */
import type { FastifyInstance } from 'fastify';
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointChanges,
  type EndpointInput,
  enableEndpoint,
  type FilterSample,
  getEndpoint,
  pauseEndpoint,
  replayEndpoint,
  resumeEndpoint,
  rotateEndpointSecret,
  sendTestEvent,
  testEndpointFilter,
  updateEndpoint,
} from '../../actions/index.js';
import type { Endpoint } from '../../domain/index.js';
import { requesterOf } from '../auth.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { presentEndpoint } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';
import { endpointFields as fields, secretField } from './endpoint-fields.js';

const tags = ['endpoints'];
const endpointParams = appRecordParams('ep');

type Params = { app: string; ep: string };

const nullableMs = { type: ['integer', 'null'] } as const;
const healthWindowSchema = {
  type: 'object',
  properties: {
    attempts: { type: 'integer' },
    successes: { type: 'integer', description: 'Attempts answered with a 2xx.' },
    successRate: { type: ['number', 'null'], description: 'successes / attempts; null without attempts.' },
    latencyMs: {
      type: 'object',
      description: 'Nearest-rank percentiles of the attempts that got an answer, whatever its status; null when none did.',
      properties: { p50: nullableMs, p95: nullableMs },
      required: ['p50', 'p95'],
    },
  },
  required: ['attempts', 'successes', 'successRate', 'latencyMs'],
} as const;

export function endpointRoutes(api: FastifyInstance, ctx: ApiContext): void {
  /** The app's id, from the id or uid in the path (`app_not_found`). */
  const appIdOf = async (params: { app: string }) => (await loadApp(ctx, params.app)).id;
  /** The endpoint as answered, with what is set of its credentials. */
  const shown = async (endpoint: Endpoint) =>
    presentEndpoint(endpoint, (await ctx.store.endpointCredentials([endpoint.id])).get(endpoint.id));

  api.post<{ Params: { app: string }; Body: EndpointInput }>(
    '/v1/apps/:app/endpoints',
    {
      schema: {
        tags,
        summary: 'Register an endpoint; the answer holds its signing secret',
        params: appParams,
        body: {
          type: 'object',
          properties: {
            ...fields,
            secret: secretField,
            paused: {
              type: 'boolean',
              default: false,
              description: 'Create it paused: its deliveries are held until it is resumed.',
            },
          },
          required: ['url'],
          additionalProperties: false,
        },
        response: { 201: ref('Endpoint'), 409: ref('Error'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const endpoint = await createEndpoint(ctx, requesterOf(request), await appIdOf(request.params), request.body);
      return reply.code(201).send(await shown(endpoint));
    },
  );

  api.get<{ Params: { app: string }; Querystring: { limit: number; after?: string } }>(
    '/v1/apps/:app/endpoints',
    {
      schema: {
        tags,
        summary: 'List an app’s endpoints, newest first',
        params: appParams,
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf('Endpoint'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const page = await ctx.store.listEndpoints(app.id, request.query);
      const credentials = await ctx.store.endpointCredentials(page.data.map((ep) => ep.id));
      return { data: page.data.map((ep) => presentEndpoint(ep, credentials.get(ep.id))), nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: Params }>(
    '/v1/apps/:app/endpoints/:ep',
    { schema: { tags, summary: 'Get an endpoint', params: endpointParams, response: { 200: ref('Endpoint'), ...commonErrors } } },
    async (request) => shown(await getEndpoint(ctx, await appIdOf(request.params), request.params.ep)),
  );

  api.patch<{ Params: Params; Body: EndpointChanges }>(
    '/v1/apps/:app/endpoints/:ep',
    {
      schema: {
        tags,
        summary: 'Change an endpoint, or disable or enable it',
        params: endpointParams,
        body: { type: 'object', properties: { ...fields, disabled: { type: 'boolean' } }, additionalProperties: false },
        response: { 200: ref('Endpoint'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const appId = await appIdOf(request.params);
      const who = requesterOf(request);
      const updated = await updateEndpoint(ctx, who, appId, request.params.ep, request.body, 'disabled through the API');
      return shown(updated);
    },
  );

  api.delete<{ Params: Params }>(
    '/v1/apps/:app/endpoints/:ep',
    {
      schema: {
        tags,
        summary: 'Delete an endpoint and its deliveries',
        params: endpointParams,
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      await deleteEndpoint(ctx, requesterOf(request), await appIdOf(request.params), request.params.ep);
      return reply.code(204).send();
    },
  );

  api.post<{ Params: Params; Body: { secret?: string } | undefined }>(
    '/v1/apps/:app/endpoints/:ep/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Give the endpoint a new signing secret; the old one keeps signing beside it for HOOKD_SECRET_OVERLAP',
        description:
          'During the overlap every delivery carries two signatures, one per secret, so receivers can switch at their pace. ' +
          'Rotating again within the overlap ends the older secret at once.',
        params: endpointParams,
        body: { type: ['object', 'null'], properties: { secret: secretField }, additionalProperties: false },
        response: { 200: ref('Endpoint'), ...commonErrors },
      },
    },
    async (request) => {
      const appId = await appIdOf(request.params);
      return shown(await rotateEndpointSecret(ctx, requesterOf(request), appId, request.params.ep, request.body?.secret));
    },
  );

  api.post<{ Params: Params; Body: { since: string; status?: 'failed' | 'succeeded' } }>(
    '/v1/apps/:app/endpoints/:ep/replay',
    {
      schema: {
        tags,
        summary: 'Send again every delivery of this endpoint with a status (default failed) created since a time',
        params: endpointParams,
        body: {
          type: 'object',
          properties: {
            since: { type: 'string', format: 'date-time' },
            status: { type: 'string', enum: ['failed', 'succeeded'], default: 'failed' },
          },
          required: ['since'],
          additionalProperties: false,
        },
        response: {
          202: { type: 'object', properties: { replayed: { type: 'integer' } }, required: ['replayed'] },
          409: ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const appId = await appIdOf(request.params);
      const replayed = await replayEndpoint(ctx, requesterOf(request), appId, request.params.ep, {
        since: Date.parse(request.body.since),
        status: request.body.status ?? 'failed',
      });
      return reply.code(202).send({ replayed });
    },
  );

  api.post<{ Params: Params; Body: { type?: string; data?: unknown } | undefined }>(
    '/v1/apps/:app/endpoints/:ep/test',
    {
      schema: {
        tags,
        summary: 'Send a test event to this endpoint only',
        description:
          'No other endpoint gets it, whatever it subscribes to, and the endpoint gets it whatever its event types and ' +
          'filter. The delivered envelope says `"test": true`, and the message lists as a test. Answers 202 once it is ' +
          'committed; a disabled endpoint is refused with `endpoint_disabled`.',
        params: endpointParams,
        body: {
          type: ['object', 'null'],
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL, default: 'hookd.test' },
            data: { description: 'The event data; `{}` when left out.' },
          },
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: {
              id: { type: 'string', description: 'The message id, sent as `webhook-id`.' },
              type: { type: 'string' },
              timestamp: { type: 'string', format: 'date-time' },
              endpointId: { type: 'string' },
              test: { type: 'boolean', enum: [true] },
            },
            required: ['id', 'type', 'timestamp', 'endpointId', 'test'],
          },
          409: ref('Error'),
          422: ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const appId = await appIdOf(request.params);
      const type = request.body?.type ?? 'hookd.test';
      const data = request.body?.data ?? {};
      const { message } = await sendTestEvent(ctx, appId, request.params.ep, { type, data });
      return reply.code(202).send({
        id: message.id,
        type: message.type,
        timestamp: new Date(message.createdAt).toISOString(),
        endpointId: request.params.ep,
        test: true,
      });
    },
  );

  api.post<{ Params: Params; Body: FilterSample }>(
    '/v1/apps/:app/endpoints/:ep/test-filter',
    {
      schema: {
        tags,
        summary: 'Say whether a sample or a past message matches the endpoint’s filter, without sending anything',
        description:
          'Give exactly one of `payload` (what the filter sees, whole), `event` (`{type, data}` as it would be published) ' +
          'or `messageId` (a past message: the filter sees what its fan-out saw). `filter` tries another filter instead ' +
          'of the saved one (a form’s unsaved text). A mismatch names the first top-level clause that fails on its own.',
        params: endpointParams,
        body: {
          type: 'object',
          properties: {
            filter: { ...fields.filter, description: 'A filter to try instead of the saved one; null tries none.' },
            payload: { type: 'object', description: 'The document the filter sees, as is.' },
            event: {
              type: 'object',
              properties: { type: { type: 'string', maxLength: 256 }, data: {} },
              required: ['type'],
              additionalProperties: false,
              description: 'An event as published: the filter sees `{type, timestamp, data}`.',
            },
            messageId: { type: 'string', maxLength: 64, description: 'A message of the app.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              matches: { type: 'boolean' },
              filter: { description: 'The filter tried; null when none (everything matches).' },
              failing: {
                type: ['object', 'null'],
                description: 'When it does not match: the first top-level clause that fails alone, and its path.',
                properties: { path: { type: 'string' }, clause: { type: 'object', additionalProperties: true } },
              },
              reason: {
                type: ['string', 'null'],
                description: 'What a skipped delivery would record (`filter: did not match`); null when it matches.',
              },
            },
            required: ['matches', 'filter', 'failing', 'reason'],
          },
          409: ref('Error'),
          422: ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request) => testEndpointFilter(ctx, await appIdOf(request.params), request.params.ep, request.body),
  );

  api.get<{ Params: Params }>(
    '/v1/apps/:app/endpoints/:ep/stats',
    {
      schema: {
        tags,
        summary: 'Count an endpoint’s deliveries by status, and show its health over the last hour and day',
        params: endpointParams,
        response: {
          200: {
            type: 'object',
            properties: {
              deliveries: {
                type: 'object',
                properties: {
                  pending: { type: 'integer' },
                  succeeded: { type: 'integer' },
                  failed: { type: 'integer' },
                  skipped: { type: 'integer', description: 'Held back (by the endpoint’s filter, say), never attempted.' },
                },
                required: ['pending', 'succeeded', 'failed', 'skipped'],
              },
              failingSince: {
                type: ['string', 'null'],
                format: 'date-time',
                description: 'When the current run of failed attempts began, with no success since; null when not failing.',
              },
              windows: {
                type: 'object',
                properties: { '1h': healthWindowSchema, '24h': healthWindowSchema },
                required: ['1h', '24h'],
              },
            },
            required: ['deliveries', 'failingSince', 'windows'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const endpoint = await getEndpoint(ctx, await appIdOf(request.params), request.params.ep);
      const [deliveries, health] = await Promise.all([
        ctx.store.countDeliveriesByStatus(endpoint.id),
        ctx.store.endpointHealth(endpoint.id, ctx.clock()),
      ]);
      const failingSince = health.failingSince === null ? null : new Date(health.failingSince).toISOString();
      return { deliveries, failingSince, windows: health.windows };
    },
  );

  type EnableBody = { replayFailedSince?: string; replayFailedWhileDisabled?: boolean; dryRun?: boolean };
  api.post<{ Params: Params; Body: EnableBody | undefined }>(
    '/v1/apps/:app/endpoints/:ep/enable',
    {
      schema: {
        tags,
        summary: 'Enable an endpoint, forgetting its failures, and optionally send again what failed',
        description:
          'Disabling an endpoint fails its pending deliveries: `replayFailedWhileDisabled` sends again every delivery that ' +
          'failed while it was disabled, and `failedWhileDisabled` in the answer says how many there were (counted ' +
          'before any replay). `dryRun` changes nothing and answers that count, so a caller can offer the replay first.',
        params: endpointParams,
        body: {
          type: ['object', 'null'],
          properties: {
            replayFailedSince: {
              type: 'string',
              format: 'date-time',
              description: 'Also send again its failed deliveries created since this time.',
            },
            replayFailedWhileDisabled: { type: 'boolean', default: false },
            dryRun: { type: 'boolean', default: false, description: 'Change nothing; answer the count only.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              endpoint: ref('Endpoint'),
              replayed: { type: 'integer', description: 'Deliveries made due again (0 on a dry run).' },
              failedWhileDisabled: {
                type: 'integer',
                description: 'Deliveries that failed while it was disabled, before any replay; 0 when it was not.',
              },
            },
            required: ['endpoint', 'replayed', 'failedWhileDisabled'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const { replayFailedSince: since, replayFailedWhileDisabled, dryRun } = request.body ?? {};
      const appId = await appIdOf(request.params);
      const { endpoint, ...counts } = await enableEndpoint(ctx, requesterOf(request), appId, request.params.ep, {
        replayFailedSince: since === undefined ? undefined : Date.parse(since),
        replayFailedWhileDisabled,
        dryRun,
      });
      return { endpoint: presentEndpoint(endpoint), ...counts };
    },
  );

  for (const [verb, summary] of [
    ['pause', 'Hold the endpoint’s deliveries: they stay pending and are not attempted, their retries untouched'],
    ['resume', 'Let a paused endpoint’s held deliveries flow again (in publish order, for a FIFO endpoint)'],
  ] as const) {
    api.post<{ Params: Params }>(
      `/v1/apps/:app/endpoints/:ep/${verb}`,
      {
        schema: {
          tags,
          summary,
          description:
            'Unlike disabling, which fails pending deliveries, pausing keeps them: nothing is attempted and no attempt is ' +
            'counted until the endpoint is resumed. Pausing a paused endpoint, or resuming one that is not, changes nothing.',
          params: endpointParams,
          response: { 200: ref('Endpoint'), ...commonErrors },
        },
      },
      async (request) => {
        const appId = await appIdOf(request.params);
        const change = verb === 'pause' ? pauseEndpoint : resumeEndpoint;
        return shown(await change(ctx, requesterOf(request), appId, request.params.ep));
      },
    );
  }
}
