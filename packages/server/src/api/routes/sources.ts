/**
 * Sources (inbound webhooks): create, read, change and delete them, and stream what one ingests (Server-Sent
 * Events, for `hookd forward`). A source owns an app: its destinations are that app's endpoints, so everything
 * the endpoint and delivery routes do (attempts, retries, replay) works on them unchanged.
 */
import { SCHEMES, WebhookVerificationError } from '@hookd/sdk/verify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addEndpoint, checkEndpointUrl, checkFilters } from '../../actions/index.js';
import {
  compileJsonSchema,
  type Endpoint,
  forwardHeaderProblem,
  MAX_SOURCE_SECRETS,
  type Message,
  newEndpoint,
  newId,
  SOURCE_SCHEMES,
  type Source,
  type SourceRateLimit,
  type SourceScheme,
} from '../../domain/index.js';
import { type InboundGateway, parseAllowlist } from '../../inbound/index.js';
import { type SourcePatch, StoreConflictError } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { presentEndpoint } from '../present.js';
import { publicUrl } from '../public-url.js';
import { commonErrors, NO_NUL, pageQuery, ref } from '../schemas.js';
import { type SseEvent, streamEvents } from '../sse.js';

const tags = ['sources'];
const MAX_DESTINATIONS = 20;
const MAX_FORWARD_HEADERS = 32;
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
    description: 'A JSON Schema (draft-07) the body must match, or a 400 `payload_invalid`.',
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

interface CreateBody {
  name: string;
  scheme: SourceScheme;
  secrets?: string[];
  allowIps?: string[];
  rateLimit?: { perSecond: number; burst?: number } | null;
  schema?: Record<string, unknown> | null;
  forwardHeaders?: string[];
  destinations: { url: string; events?: string[] | null }[];
}
type PatchBody = Partial<Pick<CreateBody, 'secrets' | 'allowIps' | 'rateLimit' | 'schema' | 'forwardHeaders'>>;

function checkSecrets(scheme: SourceScheme, secrets: string[]): string[] {
  if (scheme === 'none') {
    if (secrets.length > 0) throw new ApiError('validation_failed', 'body/secrets must be empty for the scheme none');
    return secrets;
  }
  if (secrets.length === 0) throw new ApiError('validation_failed', `body/secrets needs the ${scheme} signing secret`);
  try {
    // Signing once shows whether the scheme can use the secrets (Standard Webhooks wants base64 `whsec_…`).
    SCHEMES[scheme].sign({ body: '', secrets, timestamp: 0 });
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new ApiError('validation_failed', `body/secrets: ${error.message}`);
    throw error;
  }
  return secrets;
}

function checkAllowIps(entries: string[]): string[] {
  try {
    parseAllowlist(entries);
  } catch (error) {
    throw new ApiError('validation_failed', `body/allowIps: ${(error as Error).message}`);
  }
  return entries;
}

function checkSchema(schema: Record<string, unknown> | null): Record<string, unknown> | null {
  if (schema === null) return null;
  try {
    compileJsonSchema(schema);
  } catch (error) {
    throw new ApiError('validation_failed', `body/schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return schema;
}

/** Lower-cased and without repeats; a name the gateway must never forward is a validation error. */
function checkForwardHeaders(names: string[]): string[] {
  for (const name of names) {
    const problem = forwardHeaderProblem(name);
    if (problem !== null) throw new ApiError('validation_failed', `body/forwardHeaders: ${problem}`);
  }
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

const rateOf = (given: CreateBody['rateLimit']): SourceRateLimit | null =>
  given ? { perSecond: given.perSecond, burst: given.burst ?? Math.max(1, Math.ceil(given.perSecond)) } : null;

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
  async function load(idOrName: string): Promise<Source> {
    const source = await ctx.store.findSource(idOrName);
    if (!source) throw new ApiError('source_not_found', `no source has the id or name ${JSON.stringify(idOrName)}`);
    return source;
  }
  async function destinationsOf(source: Source): Promise<Endpoint[]> {
    return (await ctx.store.listEndpoints(source.appId, { limit: 250 })).data.reverse();
  }

  api.post<{ Body: CreateBody }>(
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
      const body = request.body;
      if (body.name.startsWith('src_')) throw new ApiError('validation_failed', 'body/name may not start with src_ (ids do)');
      const secrets = checkSecrets(body.scheme, body.secrets ?? []);
      const allowIps = checkAllowIps(body.allowIps ?? []);
      const schema = checkSchema(body.schema ?? null);
      const forwardHeaders = checkForwardHeaders(body.forwardHeaders ?? []);
      const targets = [];
      for (const d of body.destinations)
        targets.push({ url: await checkEndpointUrl(ctx, d.url), events: checkFilters(d.events) });
      if (await ctx.store.findSource(body.name))
        throw new ApiError('source_name_taken', `a source is named ${body.name} already`);

      const now = ctx.clock();
      const app = await ctx.store.createApp({
        id: newId('app', now),
        uid: null,
        name: `source ${body.name}`,
        createdAt: now,
        updatedAt: now,
      });
      try {
        const destinations: Endpoint[] = [];
        for (const target of targets) {
          destinations.push(
            await addEndpoint(
              ctx,
              newEndpoint(
                { appId: app.id, url: target.url, description: `destination of source ${body.name}`, events: target.events },
                now,
              ),
            ),
          );
        }
        const source = await ctx.store.createSource({
          id: newId('src', now),
          name: body.name,
          appId: app.id,
          scheme: body.scheme,
          secrets,
          allowIps,
          rateLimit: rateOf(body.rateLimit),
          schema,
          forwardHeaders,
          refusals: 0,
          lastRefusal: null,
          createdAt: now,
          updatedAt: now,
        });
        return reply.code(201).send(presentSource(source, destinations, request, ctx.config.publicUrl));
      } catch (error) {
        await ctx.store.deleteApp(app.id); // nothing half-made is left behind
        if (error instanceof StoreConflictError)
          throw new ApiError('source_name_taken', `a source is named ${body.name} already`);
        throw error;
      }
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
      const data = [];
      for (const source of page.data)
        data.push(presentSource(source, await destinationsOf(source), request, ctx.config.publicUrl));
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
      const source = await load(request.params.source);
      return presentSource(source, await destinationsOf(source), request, ctx.config.publicUrl);
    },
  );

  api.patch<{ Params: { source: string }; Body: PatchBody }>(
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
      const source = await load(request.params.source);
      const { secrets, allowIps, rateLimit, schema, forwardHeaders } = request.body;
      const patch: SourcePatch = {};
      if (secrets !== undefined) patch.secrets = checkSecrets(source.scheme, secrets);
      if (allowIps !== undefined) patch.allowIps = checkAllowIps(allowIps);
      if (rateLimit !== undefined) patch.rateLimit = rateOf(rateLimit);
      if (schema !== undefined) patch.schema = checkSchema(schema);
      if (forwardHeaders !== undefined) patch.forwardHeaders = checkForwardHeaders(forwardHeaders);
      const updated = await ctx.store.updateSource(source.id, patch, ctx.clock());
      if (!updated) throw new ApiError('source_not_found');
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
      const source = await load(request.params.source);
      await ctx.store.deleteApp(source.appId); // the source, its endpoints and messages go with it
      gateway.forget(source);
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
      const source = await load(request.params.source);
      await streamEvents(request, reply, {
        async start() {
          return (await ctx.store.listMessages(source.appId, {}, { limit: 1 })).data[0]?.id ?? null;
        },
        async poll(after) {
          const until = ctx.clock() - STREAM_SETTLE_MS;
          return (await ctx.store.messagesAfter(source.appId, after, until, STREAM_BATCH)).map(streamedRequest);
        },
        onPollError: (error) => request.log.warn({ err: error, sourceId: source.id }, 'reading the source stream failed'),
      });
    },
  );
}
