/**
 * The publish baseline: a bare fastify route answering hookd's publish request (same path, token check, JSON body)
 * with a 202 and a message id, storing nothing. Run as a child process, like hookd: `BENCH_PORT=… node … bare-fastify.ts`.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const token = `Bearer ${process.env.BENCH_TOKEN ?? ''}`;
app.get('/readyz', async () => ({ ok: true }));
app.post('/v1/apps/:app/events', async (request, reply) => {
  if (request.headers.authorization !== token) return reply.code(401).send({ error: { code: 'unauthorized' } });
  const { type } = request.body as { type: string };
  return reply.code(202).send({ id: `msg_${randomUUID()}`, type, createdAt: new Date().toISOString() });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
