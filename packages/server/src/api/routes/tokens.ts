/** Per-app API tokens: created by the admin, shown once, kept hashed, listed and revoked. */
import type { FastifyInstance } from 'fastify';
import { auditChanges, auditEntry, newId } from '../../domain/index.js';
import { generateAppToken, hashToken, requesterOf } from '../auth.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { commonErrors, NO_NUL } from '../schemas.js';

const tags = ['tokens'];
const iso = (ms: number) => new Date(ms).toISOString();

const tokenInfo = {
  id: { type: 'string' },
  appId: { type: 'string' },
  name: { type: 'string' },
  canMintPortalLinks: {
    type: 'boolean',
    description: 'Whether the token may make portal links (`POST /v1/apps/{app}/portal-link`); default false.',
  },
  createdAt: { type: 'string', format: 'date-time' },
} as const;
const appTokenSchema = {
  type: 'object',
  properties: tokenInfo,
  required: ['id', 'appId', 'name', 'canMintPortalLinks', 'createdAt'],
} as const;
const createdSchema = {
  type: 'object',
  properties: {
    ...tokenInfo,
    token: { type: 'string', description: 'The token, `hkd_app_…`: shown this once, kept only as its SHA-256.' },
  },
  required: ['id', 'appId', 'name', 'canMintPortalLinks', 'createdAt', 'token'],
} as const;

export function tokenRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string }; Body: { name?: string; canMintPortalLinks?: boolean } | undefined }>(
    '/v1/apps/:app/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token that reaches this app only (admin token); the answer is the only time it is shown',
        params: appParams,
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 256, pattern: NO_NUL },
            canMintPortalLinks: tokenInfo.canMintPortalLinks,
          },
          additionalProperties: false,
        },
        response: { 201: createdSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      const now = ctx.clock();
      const token = generateAppToken();
      const made = {
        id: newId('tok', now),
        appId: app.id,
        name: request.body?.name ?? '',
        canMintPortalLinks: request.body?.canMintPortalLinks ?? false,
        createdAt: now,
      };
      // The token itself never reaches the log: only its id, name and rights.
      const facts = { action: 'token.created', appId: app.id, target: made.id, changes: auditChanges(null, { ...made }) };
      const saved = await ctx.store.createAppToken(
        made,
        hashToken(token).toString('hex'),
        auditEntry(requesterOf(request), facts, now),
      );
      return reply.code(201).send({ ...saved, createdAt: iso(saved.createdAt), token });
    },
  );

  api.get<{ Params: { app: string } }>(
    '/v1/apps/:app/tokens',
    {
      schema: {
        tags,
        summary: 'List the app’s API tokens, newest first, without the tokens themselves (admin token)',
        params: appParams,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: appTokenSchema } }, required: ['data'] },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const tokens = await ctx.store.listAppTokens(app.id);
      return { data: tokens.map((t) => ({ ...t, createdAt: iso(t.createdAt) })) };
    },
  );

  api.delete<{ Params: { app: string; token: string } }>(
    '/v1/apps/:app/tokens/:token',
    {
      schema: {
        tags,
        summary: 'Revoke an API token at once (admin token)',
        params: appRecordParams('token'),
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      const facts = { action: 'token.revoked', appId: app.id, target: request.params.token };
      const audit = auditEntry(requesterOf(request), facts, ctx.clock());
      if (!(await ctx.store.deleteAppToken(app.id, request.params.token, audit))) throw new ApiError('token_not_found');
      return reply.code(204).send();
    },
  );
}
