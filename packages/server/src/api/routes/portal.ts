/**
 * POST /v1/apps/{app}/portal-link: a short-lived signed URL that opens the dashboard scoped to one app;
 * DELETE /v1/apps/{app}/portal-links revokes them; POST /v1/portal-signing-key/rotate ends every link at once.
 */
import type { FastifyInstance } from 'fastify';
import { portalLink, rotateSigningKey } from '../../actions/index.js';
import { auditEntry, parseDuration } from '../../domain/index.js';
import { requesterOf, scopeOf } from '../auth.js';
import { type ApiContext, appParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { publicUrl } from '../public-url.js';
import { commonErrors } from '../schemas.js';

const DEFAULT_EXPIRES_IN = '1h';
const MAX_EXPIRES_IN_MS = 24 * 3_600_000;

function parseExpiresIn(text: string): number {
  // Whole seconds, minutes or hours only: what the docs promise, narrower than a config duration.
  const ms = /^\d{1,6}[smh]$/.test(text) ? parseDuration(text) : null;
  if (ms === null || !(ms >= 60_000 && ms <= MAX_EXPIRES_IN_MS)) {
    throw new ApiError('validation_failed', 'body/expiresIn must be a duration from 1m to 24h, such as 15m or 1h');
  }
  return ms;
}

export function portalRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string }; Body: { expiresIn?: string } | undefined }>(
    '/v1/apps/:app/portal-link',
    {
      schema: {
        tags: ['apps'],
        summary:
          'Make a short-lived link that opens the dashboard for this app only (admin token, or an app token made with canMintPortalLinks)',
        description:
          'Whoever opens the URL before `expiresAt` manages this app’s endpoints and sees its messages and deliveries, ' +
          'and nothing of any other app. Opening it starts a session that ends at `expiresAt`, or earlier when the link is ' +
          'revoked (`DELETE /v1/apps/{app}/portal-links`) or the app token that made it is revoked.',
        params: appParams,
        body: {
          type: ['object', 'null'],
          properties: {
            expiresIn: {
              type: 'string',
              maxLength: 16,
              default: DEFAULT_EXPIRES_IN,
              description: 'How long the link (and the session it opens) lasts: `30m`, `1h`, … from 1m to 24h; default 1h.',
            },
          },
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: {
              url: { type: 'string', description: 'Open in a browser; it carries the signed token.' },
              expiresAt: { type: 'string', format: 'date-time' },
            },
            required: ['url', 'expiresAt'],
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      // A link outlives nothing it was made with: an app token needs the right to make one, and its links end with it.
      const scope = scopeOf(request);
      if (scope.kind === 'app' && !scope.canMintPortalLinks) {
        throw new ApiError('forbidden', 'this app token may not make portal links (create it with canMintPortalLinks)');
      }
      const app = await loadApp(ctx, request.params.app);
      const { url, expiresAt } = await portalLink(ctx, app.id, {
        baseUrl: publicUrl(request, ctx.config.publicUrl, ''),
        expiresInMs: parseExpiresIn(request.body?.expiresIn ?? DEFAULT_EXPIRES_IN),
        tokenId: scope.kind === 'app' ? scope.tokenId : null,
      });
      return reply.code(201).send({ url, expiresAt: new Date(expiresAt).toISOString() });
    },
  );

  api.delete<{ Params: { app: string } }>(
    '/v1/apps/:app/portal-links',
    {
      schema: {
        tags: ['apps'],
        summary: 'Revoke every portal link made so far for this app, and end the dashboard sessions they opened',
        params: appParams,
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      const facts = { action: 'app.portal_access_revoked', appId: app.id, target: app.id };
      const audit = auditEntry(requesterOf(request), facts, ctx.clock());
      if (!(await ctx.store.revokePortalAccess(app.id, audit))) throw new ApiError('app_not_found');
      return reply.code(204).send();
    },
  );

  api.post(
    '/v1/portal-signing-key/rotate',
    {
      schema: {
        tags: ['apps'],
        summary: 'Replace the key portal links are signed with (admin token): every outstanding link stops working at once',
        response: { 204: { type: 'null' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      await rotateSigningKey(ctx, requesterOf(request));
      return reply.code(204).send();
    },
  );
}
