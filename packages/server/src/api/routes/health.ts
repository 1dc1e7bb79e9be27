import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

const tags = ['ops'];

export function healthRoutes(api: FastifyInstance, ctx: Pick<ApiContext, 'store' | 'workerAlive' | 'metrics'>): void {
  api.get('/healthz', { schema: { tags, summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  api.get('/readyz', { schema: { tags, summary: 'The store answers and the worker loop runs' } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await ctx.store.ping();
      checks.store = 'ok';
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
