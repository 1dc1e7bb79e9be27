/**
 * Sources (inbound webhooks): create, read, change and delete them, and stream what one ingests (Server-Sent
 * Events, for `hookd forward`). A source owns an app: its destinations are that app's endpoints, so everything
 * the endpoint and delivery routes do (attempts, retries, replay) works on them unchanged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createSource,
  deleteSource,
  getSource,
  type SourceChanges,
  type SourceInput,
  updateSource,
} from '../../actions/index.js';
import { type Endpoint, MAX_SOURCE_SECRETS, type Message, SOURCE_SCHEMES, type Source } from '../../domain/index.js';
import type { InboundGateway } from '../../inbound/index.js';
import { RECENT_REFUSALS_KEPT } from '../../store/index.js';
import { requesterOf } from '../auth.js';
import type { ApiContext } from '../context.js';
import { presentEndpoint } from '../present.js';
import { publicUrl } from '../public-url.js';
import { commonErrors, NO_NUL, pageQuery, ref } from '../schemas.js';
import { type SseEvent, streamEvents } from '../sse.js';

const tags = ['sources'];
const MAX_DESTINATIONS = 20;
const MAX_FORWARD_HEADERS = 32;
/** A source shows its app's newest endpoints, this many at most. */
const DESTINATIONS_SHOWN = 250;
/**
 * The stream sends an event once it is this old. Ids are taken before the commit, so two requests ingested at once
 * may commit out of id order; waiting this long lets the earlier id commit before the stream moves past it.
 */
export const STREAM_SETTLE_MS = 1_000;
const STREAM_BATCH = 100;

const sourceParams = {
  type: 'object',
  properties: { source: { type: 'string', maxLength: 64, description: 'The source id, or its name.' } },
  required: ['source'],
} as const;
const fields = {
  secrets: {
    type: 'array',
    maxItems: MAX_SOURCE_SECRETS,
    items: { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL },
    description: 'The provider’s signing secret(s): any one verifies, so a rotation lists the new and the old. Empty for `none`.',
  },
  allowIps: {
    type: 'array',
    maxItems: 256,
    items: { type: 'string', maxLength: 64 },
    description: 'Addresses or CIDR ranges (IPv4, IPv6) requests must come from; empty: any.',
  },
  rateLimit: {
    type: ['object', 'null'],
    properties: {
      perSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
      burst: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    },
    required: ['perSecond'],
    additionalProperties: false,
    description:
      'Verified requests per second this process lets through (a token bucket; refused ones have a bucket of their own, ' +
      'the same size); `burst` defaults to `perSecond`.',
  },
  schema: {
    type: ['object', 'null'],
    description: 'A JSON Schema (draft-07) the body must match, or a 400 `validation_failed` (with `details`).',
  },
  forwardHeaders: {
    type: 'array',
    maxItems: MAX_FORWARD_HEADERS,
    items: { type: 'string', minLength: 1, maxLength: 64 },
    description:
      'Header names forwarded to the destinations beside the allowlist every source has (content type, user agent, ' +
      'the providers’ event, id and signature headers). Credentials, address claims and the `webhook-*`/`svix-*` ' +
      'families (hookd signs with its own) are refused.',
  },
} as const;
const destination = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_NUL },
    events: {
      type: ['array', 'null'],
      maxItems: 256,
      items: { type: 'string', minLength: 1, maxLength: 258, pattern: NO_NUL },
      description: 'Event types to forward (`push`, `payment_intent.*`); absent or empty: all.',
    },
  },
  required: ['url'],
  additionalProperties: false,
} as const;

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const sourceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    appId: { type: 'string', description: 'The app holding the destinations (its endpoints) and the ingested events.' },
    scheme: { type: 'string', enum: SOURCE_SCHEMES },
    secrets: { type: 'array', items: { type: 'string' } },
    allowIps: { type: 'array', items: { type: 'string' } },
    rateLimit: {
      type: ['object', 'null'],
      properties: { perSecond: { type: 'number' }, burst: { type: 'integer' } },
    },
    schema: { type: ['object', 'null'], additionalProperties: true },
    forwardHeaders: { type: 'array', items: { type: 'string' } },
    ingestUrl: { type: 'string', description: 'Where the provider POSTs; no token needed.' },
    refusals: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        lastCode: { type: ['string', 'null'] },
        lastMessage: { type: ['string', 'null'] },
        lastAt: nullableTime,
      },
    },
    destinations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'The endpoint id, in the source’s app.' },
          url: { type: 'string' },
          events: { type: ['array', 'null'], items: { type: 'string' } },
          secret: { type: 'string', description: 'hookd signs what it forwards with this (Standard Webhooks).' },
          disabled: { type: 'boolean' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

function presentSource(source: Source, destinations: Endpoint[], request: FastifyRequest, publicBase: string | null) {
  return {
    id: source.id,
    name: source.name,
    appId: source.appId,
    scheme: source.scheme,
    secrets: source.secrets,
    allowIps: source.allowIps,
    rateLimit: source.rateLimit,
    schema: source.schema,
    forwardHeaders: source.forwardHeaders,
    ingestUrl: publicUrl(request, publicBase, `/in/${encodeURIComponent(source.name)}`),
    refusals: {
      count: source.refusals,
      lastCode: source.lastRefusal?.code ?? null,
      lastMessage: source.lastRefusal?.message ?? null,
      lastAt: source.lastRefusal ? iso(source.lastRefusal.at) : null,
    },
    destinations: destinations.map((ep) => {
      const { id, url, events, secret, disabled } = presentEndpoint(ep);
      return { id, url, events, secret, disabled };
    }),
    createdAt: iso(source.createdAt),
    updatedAt: iso(source.updatedAt),
  };
}

/** What `hookd forward` receives for each ingested request: enough to replay it as the provider sent it. */
export function streamedRequest(message: Message): SseEvent {
  return {
    id: message.id,
    event: 'webhook',
    data: {
      id: message.id,
      type: message.type,
      receivedAt: iso(message.createdAt),
      headers: message.headers ?? {},
      body: message.payload,
    },
  };
}

export function sourceRoutes(api: FastifyInstance, ctx: ApiContext, gateway: InboundGateway): void {
  async function destinationsOf(source: Source): Promise<Endpoint[]> {
    return (await ctx.store.endpointsOfApps([source.appId], DESTINATIONS_SHOWN))[source.appId] ?? [];
  }

  api.post<{ Body: SourceInput }>(
    '/v1/sources',
    {
      schema: {
        tags,
        summary: 'Create a source: an ingest URL for a provider’s webhooks, forwarded to your app’s URLs',
        body: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
              description: 'Unique; the ingest URL is `/in/{name}`.',
            },
            scheme: { type: 'string', enum: SOURCE_SCHEMES, description: 'The provider’s signature scheme, or `none`.' },
            ...fields,
            destinations: { type: 'array', minItems: 1, maxItems: MAX_DESTINATIONS, items: destination },
          },
          required: ['name', 'scheme', 'destinations'],
          additionalProperties: false,
        },
        response: { 201: sourceSchema, 409: ref('Error'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { source, destinations } = await createSource(ctx, requesterOf(request), request.body);
      return reply.code(201).send(presentSource(source, destinations, request, ctx.config.publicUrl));
    },
  );

  api.get<{ Querystring: { limit: number; after?: string } }>(
    '/v1/sources',
    {
      schema: {
        tags,
        summary: 'List sources, newest first',
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: sourceSchema }, nextCursor: { type: ['string', 'null'] } },
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const page = await ctx.store.listSources(request.query);
      const destinations = await ctx.store.endpointsOfApps(
        page.data.map((source) => source.appId),
        DESTINATIONS_SHOWN,
      );
      const data = page.data.map((source) =>
        presentSource(source, destinations[source.appId] ?? [], request, ctx.config.publicUrl),
      );
      return { data, nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: { source: string } }>(
    '/v1/sources/:source',
    {
      schema: {
        tags,
        summary: 'Get a source, with its destinations and refusal count',
        params: sourceParams,
        response: { 200: sourceSchema, ...commonErrors },
      },
    },
    async (request) => {
      const source = await getSource(ctx, request.params.source);
      return presentSource(source, await destinationsOf(source), request, ctx.config.publicUrl);
    },
  );

  api.get<{ Params: { source: string }; Querystring: { limit: number } }>(
    '/v1/sources/:source/refusals',
    {
      schema: {
        tags,
        summary: 'The source’s latest refused requests with their reasons, newest first',
        description:
          `Each source keeps its latest ${RECENT_REFUSALS_KEPT} refusals (the count in the source goes on). Refusals are ` +
          'written in batches (every HOOKD_REFUSAL_FLUSH), so the newest may show a little late. Nothing of a refused ' +
          'request is kept but its reason and time.',
        params: sourceParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: RECENT_REFUSALS_KEPT, default: 50 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    code: { type: 'string', description: 'The error code the request was answered with.' },
                    message: { type: 'string' },
                    at: { type: 'string', format: 'date-time' },
                  },
                  required: ['code', 'message', 'at'],
                },
              },
            },
            required: ['data'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const source = await getSource(ctx, request.params.source);
      const refusals = await ctx.store.listSourceRefusals(source.id, request.query.limit);
      return { data: refusals.map((r) => ({ code: r.code, message: r.message, at: iso(r.at) })) };
    },
  );

  api.patch<{ Params: { source: string }; Body: SourceChanges }>(
    '/v1/sources/:source',
    {
      schema: {
        tags,
        summary:
          'Change a source’s secrets (rotation: list the new and the old), IP allowlist, rate limit, schema or forwarded headers',
        params: sourceParams,
        body: { type: 'object', properties: fields, additionalProperties: false },
        response: { 200: sourceSchema, ...commonErrors },
      },
    },
    async (request) => {
      const updated = await updateSource(ctx, requesterOf(request), request.params.source, request.body);
      gateway.forget(updated);
      return presentSource(updated, await destinationsOf(updated), request, ctx.config.publicUrl);
    },
  );

  api.delete<{ Params: { source: string } }>(
    '/v1/sources/:source',
    {
      schema: {
        tags,
        summary: 'Delete a source, its destinations and what it ingested',
        params: sourceParams,
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      gateway.forget(await deleteSource(ctx, requesterOf(request), request.params.source));
      return reply.code(204).send();
    },
  );

  api.get<{ Params: { source: string }; Querystring: { after?: string } }>(
    '/v1/sources/:source/events/stream',
    {
      schema: {
        tags,
        summary: 'Stream what the source ingests, as Server-Sent Events (what `hookd forward` reads)',
        description:
          'One `webhook` event per ingested request: `{id, type, receivedAt, headers, body}`, `body` the raw text. ' +
          'Starts with what comes next; `Last-Event-ID` (or `?after=`) resumes after an event already seen.',
        params: sourceParams,
        querystring: {
          type: 'object',
          properties: { after: { type: 'string', maxLength: 64 } },
          additionalProperties: false,
        },
        response: { ...commonErrors },
      },
    },
    async (request, reply) => {
      const source = await getSource(ctx, request.params.source);
      await streamEvents(request, reply, {
        async start() {
          return (await ctx.store.listMessages(source.appId, {}, { limit: 1 })).data[0]?.id ?? null;
        },
        async poll(after) {
          const until = ctx.clock() - STREAM_SETTLE_MS;
          return (await ctx.store.messagesAfter(source.appId, after, until, STREAM_BATCH)).map(streamedRequest);
        },
        onPollError: (error) => request.log.warn({ err: error, sourceId: source.id }, 'reading the source stream failed'),
        timers: ctx.timers,
      });
    },
  );
}
