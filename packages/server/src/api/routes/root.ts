/** `GET /`: where to go from the bare address, instead of a 404. A browser is sent to the dashboard. */
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';

export function rootRoute(api: FastifyInstance): void {
  api.get('/', { schema: { hide: true } }, async (request, reply) => {
    if ((request.headers.accept ?? '').includes('text/html')) return reply.redirect('/ui', 302);
    return {
      name: 'hookd',
      version: VERSION,
      dashboard: '/ui',
      docs: '/docs',
      openapi: '/openapi.json',
      api: '/v1',
      health: '/healthz',
    };
  });
}
