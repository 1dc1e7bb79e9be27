/**
 * The audit log, read-only: no route changes or deletes an entry (retention alone trims it). The admin token reads
 * every entry; an app token only its own app's.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditEntry } from '../../domain/index.js';
import { scopeOf } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { commonErrors, pageQuery } from '../schemas.js';

const iso = (ms: number) => new Date(ms).toISOString();

const text = (description: string) => ({ type: 'string', maxLength: 256, description }) as const;
const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: '`aud_…`; entries sort by it, newest first.' },
    at: { type: 'string', format: 'date-time' },
    actor: {
      type: 'string',
      description: '`admin`, `token:<token id>`, `dashboard` (an admin sign-in), `portal:<app id>`, or `anonymous`.',
    },
    appId: { type: ['string', 'null'], description: 'The app the change belongs to; null for instance-wide ones.' },
    action: { type: 'string', description: '`<record>.<verb>`, e.g. `endpoint.updated`, `endpoint.secret_rotated`.' },
    target: { type: 'string', description: 'The id (or name) of the record changed.' },
    address: { type: ['string', 'null'], description: 'The client address the change came from.' },
    requestId: { type: ['string', 'null'], description: 'The request id (the `x-request-id` answer header).' },
    changes: {
      type: 'object',
      additionalProperties: true,
      description: 'Each changed field with its `before` and `after`; secrets, tokens and credentials read `[masked]`.',
    },
  },
  required: ['id', 'at', 'actor', 'appId', 'action', 'target', 'address', 'requestId', 'changes'],
} as const;

type AuditLogQuery = {
  limit: number;
  after?: string;
  app?: string;
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
};

export const presentAuditEntry = (e: AuditEntry) => ({ ...e, at: iso(e.at) });

export function auditLogRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{ Querystring: AuditLogQuery }>(
    '/v1/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log, newest first: who changed what, when, from where (an app token sees its own app only)',
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            app: text('Only entries of this app (id or uid).'),
            actor: text('Only entries of this actor, e.g. `admin` or `token:tok_…`.'),
            action: text('Only entries of this action, e.g. `endpoint.updated`.'),
            target: text('Only entries about this record (id or name).'),
            since: { type: 'string', format: 'date-time', description: 'Entries at or after this time.' },
            until: { type: 'string', format: 'date-time', description: 'Entries before this time.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: entrySchema }, nextCursor: { type: ['string', 'null'] } },
            required: ['data', 'nextCursor'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const { limit, after, app, actor, action, target, since, until } = request.query;
      const scope = scopeOf(request);
      // An app's entries outlive it: a name that no longer resolves is taken as the id of an app deleted since.
      const named = app === undefined ? undefined : ((await ctx.store.findApp(app))?.id ?? app);
      // A token reads its own app's entries only; another app answers as unknown, as everywhere else.
      if (scope.kind === 'app' && named !== undefined && named !== scope.appId) {
        throw new ApiError('app_not_found', `no app has the id or uid ${JSON.stringify(app)}`);
      }
      const appId = scope.kind === 'app' ? scope.appId : named;
      const page = await ctx.store.listAuditLog({
        limit,
        after,
        appId,
        actor,
        action,
        target,
        since: since === undefined ? undefined : Date.parse(since),
        until: until === undefined ? undefined : Date.parse(until),
      });
      return { data: page.data.map(presentAuditEntry), nextCursor: page.nextCursor };
    },
  );
}
