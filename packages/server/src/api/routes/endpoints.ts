import { generateSecret } from '@hookd/sdk';
import type { FastifyInstance } from 'fastify';
import { AddressRefusedError, hostOf, resolveAllowed } from '../../delivery/index.js';
import {
  type Endpoint,
  endpointHeadersProblem,
  isEventTypeFilter,
  MAX_ENDPOINT_HEADERS,
  newEndpoint,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
} from '../../domain/index.js';
import type { EndpointPatch } from '../../store/index.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { createEndpoint } from '../create-endpoint.js';
import { ApiError } from '../errors.js';
import { presentEndpoint } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';

const tags = ['endpoints'];
const endpointParams = appRecordParams('ep');
const fields = {
  url: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_NUL },
  description: { type: 'string', maxLength: 1024, pattern: NO_NUL },
  events: {
    type: ['array', 'null'],
    maxItems: 256,
    items: { type: 'string', minLength: 1, maxLength: 258, pattern: NO_NUL },
    description: 'Event types to receive: exact names, `prefix.*` or `*`. Absent, null or empty: every type.',
  },
  signatureScheme: {
    type: 'string',
    enum: SIGNATURE_SCHEMES,
    description: '`standard` (Standard Webhooks, the default) or `hmac-sha256-hex`.',
  },
  headers: {
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 4096 },
    description:
      `Sent with every delivery, e.g. \`{"X-Team": "payments"}\`: at most ${MAX_ENDPOINT_HEADERS}, names HTTP tokens, ` +
      'values without control characters; the headers hookd sets (content-type, user-agent, webhook-*, x-webhook-*, …) cannot be overridden.',
  },
  rateLimit: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 100_000,
    description: 'Deliveries started per second, at most, across all workers; null: no limit.',
  },
  maxInFlight: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 1_000,
    description: 'Deliveries in flight at once, at most, across all workers; null: each worker’s own cap only.',
  },
  fifo: {
    type: 'boolean',
    description:
      'One delivery at a time, in publish order; one that fails holds back the rest until it succeeds or exhausts its retries.',
  },
} as const;
const secretField = {
  type: 'string',
  pattern: '^whsec_[A-Za-z0-9+/=]{32,128}$',
  description: 'Bring your own secret; one is generated otherwise.',
} as const;

interface EndpointBody {
  url: string;
  description?: string;
  events?: string[] | null;
  signatureScheme?: SignatureScheme;
  headers?: Record<string, string>;
  rateLimit?: number | null;
  maxInFlight?: number | null;
  fifo?: boolean;
  secret?: string;
}
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

/** Normalises the URL and refuses what is not http(s) or points where endpoints may not go. */
export async function checkEndpointUrl(ctx: ApiContext, raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError('invalid_url', `${JSON.stringify(raw)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError('invalid_url', `endpoint URLs must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  try {
    await resolveAllowed(hostOf(url), ctx.config.allowedNetworks, ctx.resolve);
  } catch (error) {
    if (error instanceof AddressRefusedError) throw new ApiError('url_not_allowed', error.message);
    // A name that does not resolve yet may later; the check at send time still applies.
  }
  return url.href;
}

export function checkFilters(events: string[] | null | undefined): string[] | null {
  if (!events || events.length === 0) return null;
  const bad = events.find((e) => !isEventTypeFilter(e));
  if (bad !== undefined)
    throw new ApiError('invalid_event_type', `${JSON.stringify(bad)} is not an event type or a prefix.* filter`);
  return [...new Set(events)];
}

function checkHeaders(headers: Record<string, string>): Record<string, string> {
  const problem = endpointHeadersProblem(headers);
  if (problem !== null) throw new ApiError('validation_failed', `body/headers: ${problem}`);
  return headers;
}

export function endpointRoutes(api: FastifyInstance, ctx: ApiContext): void {
  async function loadEndpoint(params: Params): Promise<Endpoint> {
    const app = await loadApp(ctx, params.app);
    const endpoint = await ctx.store.findEndpoint(app.id, params.ep);
    if (!endpoint) throw new ApiError('endpoint_not_found', `app ${params.app} has no endpoint ${JSON.stringify(params.ep)}`);
    return endpoint;
  }

  api.post<{ Params: { app: string }; Body: EndpointBody }>(
    '/v1/apps/:app/endpoints',
    {
      schema: {
        tags,
        summary: 'Register an endpoint; the answer holds its signing secret',
        params: appParams,
        body: {
          type: 'object',
          properties: { ...fields, secret: secretField },
          required: ['url'],
          additionalProperties: false,
        },
        response: { 201: ref('Endpoint'), 409: ref('Error'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      const body = request.body;
      const now = ctx.clock();
      const endpoint = await createEndpoint(
        ctx,
        newEndpoint(
          {
            ...body,
            appId: app.id,
            url: await checkEndpointUrl(ctx, body.url),
            events: checkFilters(body.events),
            headers: checkHeaders(body.headers ?? {}),
          },
          now,
        ),
      );
      return reply.code(201).send(presentEndpoint(endpoint));
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
      return { data: page.data.map(presentEndpoint), nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: Params }>(
    '/v1/apps/:app/endpoints/:ep',
    { schema: { tags, summary: 'Get an endpoint', params: endpointParams, response: { 200: ref('Endpoint'), ...commonErrors } } },
    async (request) => presentEndpoint(await loadEndpoint(request.params)),
  );

  api.patch<{ Params: Params; Body: Partial<EndpointBody> & { disabled?: boolean } }>(
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
      const endpoint = await loadEndpoint(request.params);
      const { url, description, events, signatureScheme, headers, rateLimit, maxInFlight, fifo, disabled } = request.body;
      const now = ctx.clock();
      const patch: EndpointPatch = {};
      if (url !== undefined) patch.url = await checkEndpointUrl(ctx, url);
      if (description !== undefined) patch.description = description;
      if (events !== undefined) patch.events = checkFilters(events);
      if (signatureScheme !== undefined) patch.signatureScheme = signatureScheme;
      if (headers !== undefined) patch.headers = checkHeaders(headers);
      if (rateLimit !== undefined) patch.rateLimit = rateLimit;
      if (maxInFlight !== undefined) patch.maxInFlight = maxInFlight;
      if (fifo !== undefined) patch.fifo = fifo;
      if (disabled === false) patch.disabled = false;
      if (disabled === true) await ctx.store.disableEndpoint(endpoint.id, 'disabled through the API', now);
      const updated = await ctx.store.updateEndpoint(endpoint.appId, endpoint.id, patch, now);
      if (!updated) throw new ApiError('endpoint_not_found');
      return presentEndpoint(updated);
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
      const endpoint = await loadEndpoint(request.params);
      await ctx.store.deleteEndpoint(endpoint.appId, endpoint.id);
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
      const endpoint = await loadEndpoint(request.params);
      const now = ctx.clock();
      const secret = request.body?.secret ?? generateSecret();
      const rotated = await ctx.store.rotateEndpointSecret(
        endpoint.appId,
        endpoint.id,
        secret,
        now + ctx.config.secretOverlapMs,
        now,
      );
      if (!rotated) throw new ApiError('endpoint_not_found');
      return presentEndpoint(rotated);
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
      const endpoint = await loadEndpoint(request.params);
      if (endpoint.disabledAt !== null) throw new ApiError('endpoint_disabled');
      const replayed = await ctx.store.replayDeliveries({
        endpointId: endpoint.id,
        since: Date.parse(request.body.since),
        status: request.body.status ?? 'failed',
        now: ctx.clock(),
      });
      if (replayed > 0) ctx.onDeliveriesDue();
      return reply.code(202).send({ replayed });
    },
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
                properties: { pending: { type: 'integer' }, succeeded: { type: 'integer' }, failed: { type: 'integer' } },
                required: ['pending', 'succeeded', 'failed'],
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
      const endpoint = await loadEndpoint(request.params);
      const [deliveries, health] = await Promise.all([
        ctx.store.countDeliveriesByStatus(endpoint.id),
        ctx.store.endpointHealth(endpoint.id, ctx.clock()),
      ]);
      const failingSince = health.failingSince === null ? null : new Date(health.failingSince).toISOString();
      return { deliveries, failingSince, windows: health.windows };
    },
  );

  api.post<{ Params: Params; Body: { replayFailedSince?: string } | undefined }>(
    '/v1/apps/:app/endpoints/:ep/enable',
    {
      schema: {
        tags,
        summary:
          'Enable an endpoint, forgetting its failures, and optionally send again its failed deliveries created since a time',
        params: endpointParams,
        body: {
          type: ['object', 'null'],
          properties: { replayFailedSince: { type: 'string', format: 'date-time' } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { endpoint: ref('Endpoint'), replayed: { type: 'integer' } },
            required: ['endpoint', 'replayed'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const endpoint = await loadEndpoint(request.params);
      const now = ctx.clock();
      const enabled = await ctx.store.updateEndpoint(endpoint.appId, endpoint.id, { disabled: false }, now);
      if (!enabled) throw new ApiError('endpoint_not_found');
      const since = request.body?.replayFailedSince;
      const replayed =
        since === undefined
          ? 0
          : await ctx.store.replayDeliveries({ endpointId: endpoint.id, since: Date.parse(since), status: 'failed', now });
      if (replayed > 0) ctx.onDeliveriesDue();
      return { endpoint: presentEndpoint(enabled), replayed };
    },
  );
}
