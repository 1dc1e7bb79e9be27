import type { FastifyInstance } from 'fastify';
import type { SchemaVersion } from '../../store/index.js';
import type { ApiContext } from '../context.js';

const tags = ['ops'];

/** Another hookd version migrated the database, or this one's migrations did not all apply: serving would misread it. */
function schemaCheck({ applied, expected }: SchemaVersion): string {
  if (applied === expected) return 'ok';
  return applied > expected
    ? `the database is at schema version ${applied}, newer than this hookd (${expected}): run the newer hookd`
    : `the database is at schema version ${applied}, this hookd needs ${expected}: run hookd migrate`;
}

export function healthRoutes(api: FastifyInstance, ctx: Pick<ApiContext, 'store' | 'workerAlive' | 'metrics'>): void {
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

  api.get('/metrics', { schema: { tags, summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    const { registry } = ctx.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
