/**
 * The least a publishing route on hookd's store does per event, as a child process: the bare fastify route
 * (bare-fastify.ts) that also builds the envelope hookd delivers and writes it through the store with its delivery
 * (`publishMessage`: the message and a delivery for the one endpoint, in the store's group commit), then answers 202.
 * Nothing else: no event-type checks, no idempotency window, no app lookup by uid, no metrics, tracing or logs.
 * `BENCH_PORT=… BENCH_DATABASE_URL=… BENCH_URL=… node … publish-floor.ts`; ready when /readyz answers.
 */
import Fastify from 'fastify';
import { newId } from '../../packages/server/src/domain/index.js';
import { openStore } from '../../packages/server/src/store/index.js';
import { anApp, anEndpoint } from '../../packages/server/test/store/fixtures.js';

const store = await openStore(process.env.BENCH_DATABASE_URL as string);
const app = await store.createApp(anApp());
await store.createEndpoint(anEndpoint(app.id, { url: process.env.BENCH_URL as string }));

const server = Fastify({ logger: false });
const token = `Bearer ${process.env.BENCH_TOKEN ?? ''}`;
server.get('/readyz', async () => ({ ok: true }));
server.post('/v1/apps/:app/events', async (request, reply) => {
  if (request.headers.authorization !== token) return reply.code(401).send({ error: { code: 'unauthorized' } });
  const { type, data } = request.body as { type: string; data: unknown };
  const createdAt = Date.now();
  const timestamp = new Date(createdAt).toISOString();
  const message = {
    id: newId('msg', createdAt),
    appId: app.id,
    type,
    payload: JSON.stringify({ type, timestamp, data }),
    idempotencyKey: null,
    createdAt,
  };
  await store.publishMessage({ message, idempotencyWindowMs: 0 });
  return reply.code(202).send({ id: message.id, type, createdAt: timestamp });
});
await server.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
