/**
 * The publish side of the graphile-worker do-it-yourself sender: bare-fastify.ts's route, but each event is queued as a
 * graphile-worker job per endpoint (`addJob`, committed before the 202), in the database at BENCH_DATABASE_URL, for the
 * endpoints at BENCH_URLS. Run as a child process, like hookd.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Logger, makeWorkerUtils } from 'graphile-worker';

const urls = (process.env.BENCH_URLS ?? '').split(',');
const token = `Bearer ${process.env.BENCH_TOKEN ?? ''}`;
// Silent, and a pool of 10 like hookd's default (HOOKD_DATABASE_POOL_SIZE).
const utils = await makeWorkerUtils({
  connectionString: process.env.BENCH_DATABASE_URL,
  logger: new Logger(() => () => {}),
  maxPoolSize: 10,
});
await utils.migrate();

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ ok: true }));
app.post('/v1/apps/:app/events', async (request, reply) => {
  if (request.headers.authorization !== token) return reply.code(401).send({ error: { code: 'unauthorized' } });
  const { type, data } = request.body as { type: string; data: unknown };
  const id = `msg_${randomUUID()}`;
  const createdAt = new Date().toISOString();
  // The envelope the sender will POST, as hookd's worker builds it from the stored message.
  const body = JSON.stringify({ type, timestamp: createdAt, data });
  for (const url of urls) await utils.addJob('webhook', { url, id, body }, { maxAttempts: 8 });
  return reply.code(202).send({ id, type, createdAt });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
