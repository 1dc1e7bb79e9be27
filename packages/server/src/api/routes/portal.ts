/** POST /v1/apps/{app}/portal-link: a short-lived signed URL that opens the dashboard scoped to one app. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signToken, uiSigningKey } from '../../domain/index.js';
import { type ApiContext, appParams, loadApp } from '../context.js';
import { ApiError } from '../errors.js';
import { publicUrl } from '../public-url.js';
import { commonErrors } from '../schemas.js';

/** Where a portal link lands; the dashboard serves it. */
export const PORTAL_PATH = '/ui/portal';
const DEFAULT_EXPIRES_IN = '1h';
const MAX_EXPIRES_IN_MS = 24 * 3_600_000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

function parseExpiresIn(text: string): number {
  const match = /^(\d{1,6})(s|m|h)$/.exec(text);
  const ms = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN;
  if (!(ms >= 60_000 && ms <= MAX_EXPIRES_IN_MS)) {
    throw new ApiError('validation_failed', 'body/expiresIn must be a duration from 1m to 24h, such as 15m or 1h');
  }
  return ms;
}

/** A signed link that opens the dashboard scoped to one app until `exp`: what the API and the dashboard both hand out. */
export function portalLink(request: FastifyRequest, ctx: ApiContext, appId: string, exp: number): string {
  const token = signToken(uiSigningKey(ctx.adminTokenHash), { use: 'portal', appId, exp });
  return publicUrl(request, ctx.config.publicUrl, `${PORTAL_PATH}?token=${encodeURIComponent(token)}`);
}

export function portalRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string }; Body: { expiresIn?: string } | undefined }>(
    '/v1/apps/:app/portal-link',
    {
      schema: {
        tags: ['apps'],
        summary: 'Make a short-lived link that opens the dashboard for this app only, for the app’s own customer',
        description:
          'Whoever opens the URL before `expiresAt` manages this app’s endpoints and sees its messages and deliveries, ' +
          'and nothing of any other app. Opening it starts a session that ends at `expiresAt`.',
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
      const app = await loadApp(ctx, request.params.app);
      const exp = ctx.clock() + parseExpiresIn(request.body?.expiresIn ?? DEFAULT_EXPIRES_IN);
      return reply.code(201).send({ url: portalLink(request, ctx, app.id, exp), expiresAt: new Date(exp).toISOString() });
    },
  );
}
