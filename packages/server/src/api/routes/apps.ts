import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApp, deleteApp, updateApp } from '../../actions/index.js';
import {
  ACCENT_COLOR_PATTERN,
  MAX_BRAND_NAME_LENGTH,
  MAX_UID_LENGTH,
  type PortalBranding,
  UID_PATTERN,
} from '../../domain/index.js';
import { requesterOf, scopeOf } from '../auth.js';
import { type ApiContext, appParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { presentApp } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';

const uid = { type: 'string', minLength: 1, maxLength: MAX_UID_LENGTH, pattern: UID_PATTERN } as const;
const name = { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL } as const;
const alertWhenSilent = {
  type: 'boolean',
  description: 'Raise the ops event `ingest.silent` when the app gets no event for HOOKD_SILENT_AFTER (default false).',
} as const;
const maxInFlight = {
  type: ['integer', 'null'],
  minimum: 1,
  maximum: 100000,
  description:
    'Most of the app’s deliveries one worker process keeps in flight, so a busy or hung app leaves room for the others; ' +
    'null: HOOKD_APP_CONCURRENCY. Admin token only.',
} as const;
const portalBranding = {
  type: ['object', 'null'],
  description: 'What the app’s portal shows instead of hookd’s name and colours; null: hookd’s own look. Admin token only.',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: MAX_BRAND_NAME_LENGTH, pattern: NO_NUL },
    logoUrl: { type: ['string', 'null'], maxLength: 2048, description: 'An https image URL.', default: null },
    accentColor: { type: ['string', 'null'], pattern: ACCENT_COLOR_PATTERN, description: '`#rrggbb` or `#rgb`.', default: null },
  },
  required: ['name'],
  additionalProperties: false,
} as const;
const tags = ['apps'];

type AppBody = {
  uid?: string;
  name?: string;
  alertWhenSilent?: boolean;
  maxInFlight?: number | null;
  portalBranding?: PortalBranding | null;
};

/** An app's share of the worker, and the look of its portal, are the operator's to give: not an app token's. */
function checkAdminFields(request: FastifyRequest<{ Body: AppBody }>): void {
  if (scopeOf(request).kind === 'admin') return;
  for (const field of ['maxInFlight', 'portalBranding'] as const) {
    if (request.body[field] !== undefined) throw new ApiError('forbidden', `only the admin token may set an app’s ${field}`);
  }
}

export function appRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Body: AppBody & { name: string } }>(
    '/v1/apps',
    {
      schema: {
        tags,
        summary: 'Create an app (a tenant whose endpoints receive its events)',
        body: {
          type: 'object',
          properties: { uid, name, alertWhenSilent, maxInFlight, portalBranding },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: ref('App'), 409: ref('Error'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      checkAdminFields(request);
      const app = await createApp(ctx, requesterOf(request), request.body);
      return reply.code(201).send(presentApp(app));
    },
  );

  api.get<{ Querystring: { limit: number; after?: string } }>(
    '/v1/apps',
    {
      schema: {
        tags,
        summary: 'List apps, newest first',
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf('App'), ...commonErrors },
      },
    },
    async (request) => {
      const page = await ctx.store.listApps(request.query);
      return { data: page.data.map(presentApp), nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: { app: string } }>(
    '/v1/apps/:app',
    { schema: { tags, summary: 'Get an app', params: appParams, response: { 200: ref('App'), ...commonErrors } } },
    async (request) => presentApp(await loadApp(ctx, request.params.app)),
  );

  api.patch<{ Params: { app: string }; Body: AppBody }>(
    '/v1/apps/:app',
    {
      schema: {
        tags,
        summary: 'Change an app’s name, silence alerting, or (admin token) its uid or in-flight cap',
        params: appParams,
        body: {
          type: 'object',
          properties: { uid, name, alertWhenSilent, maxInFlight, portalBranding },
          additionalProperties: false,
        },
        response: { 200: ref('App'), 409: ref('Error'), 422: ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      // A uid names the tenant to the operator (and to the ops app); a tenant renaming itself could take over a uid
      // meant for someone else, and learn which uids exist from the 409.
      if (request.body.uid !== undefined && scopeOf(request).kind !== 'admin') {
        throw new ApiError('forbidden', 'only the admin token may change an app’s uid');
      }
      const app = await loadApp(ctx, request.params.app);
      checkAdminFields(request);
      return presentApp(await updateApp(ctx, requesterOf(request), app.id, request.body));
    },
  );

  api.delete<{ Params: { app: string } }>(
    '/v1/apps/:app',
    {
      schema: {
        tags,
        summary: 'Delete an app with its endpoints, messages and deliveries',
        params: appParams,
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      await deleteApp(ctx, requesterOf(request), app.id);
      return reply.code(204).send();
    },
  );
}
