import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OpsStore, SchemaVersion } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../errors.js';

const tags = ['ops'];

/** Another hookd version migrated the database, or this one's migrations did not all apply: serving would misread it. */
function schemaCheck({ applied, expected }: SchemaVersion): string {
  if (applied === expected) return 'ok';
  return applied > expected
    ? `the database is at schema version ${applied}, newer than this hookd (${expected}): run the newer hookd`
    : `the database is at schema version ${applied}, this hookd needs ${expected}: run hookd migrate`;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a request may read /metrics: always when no token is set, else only with it. Digests of equal length are
 * compared in constant time, so neither the token nor its length shows in the answer's timing.
 */
function metricsReader(token: string | null): (authorization: string | undefined) => boolean {
  if (token === null) return () => true;
  const expected = digest(`Bearer ${token}`);
  return (authorization) => timingSafeEqual(digest(authorization ?? ''), expected);
}

export interface HealthOptions {
  /** The bearer token /metrics asks for; null: open. */
  metricsToken: string | null;
}

/** What the health routes read: whether the store answers and its schema, the worker loop, the metrics. */
export type HealthContext = Pick<ApiContext, 'workerAlive' | 'metrics'> & { store: Pick<OpsStore, 'ping' | 'schemaVersion'> };

export function healthRoutes(api: FastifyInstance, ctx: HealthContext, { metricsToken }: HealthOptions): void {
  const mayReadMetrics = metricsReader(metricsToken);
  api.get('/healthz', { schema: { tags, summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  const summary = 'The store answers, its schema is the one this hookd expects, and the worker loop runs';
  api.get('/readyz', { schema: { tags, summary } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await ctx.store.ping();
      checks.store = 'ok';
      checks.schema = schemaCheck(await ctx.store.schemaVersion());
    } catch (error) {
      checks.store = (error as Error).message;
    }
    if (ctx.workerAlive) checks.worker = ctx.workerAlive() ? 'ok' : 'stopped';
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  const metricsSummary = 'Prometheus metrics (text exposition format); with HOOKD_METRICS_TOKEN set, that bearer token';
  api.get('/metrics', { schema: { tags, summary: metricsSummary } }, async (request, reply) => {
    // Checked before the scrape's query, so an unauthorized caller costs the database nothing.
    if (!mayReadMetrics(request.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="hookd metrics"')
        .send(errorBody('unauthorized', '/metrics needs Authorization: Bearer <HOOKD_METRICS_TOKEN>'));
    }
    const { registry } = ctx.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
