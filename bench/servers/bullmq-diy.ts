/**
 * The do-it-yourself sender most teams build, as a child process: a BullMQ queue on the machine's Redis (ioredis),
 * one job per delivery, a worker that signs Standard-Webhooks style with node:crypto and POSTs with undici, retried
 * by BullMQ with exponential backoff. The parent sends `start` once the jobs are queued (`queued`) and `stop` at the end.
 * Settings come from BENCH_* variables; the bodies from the same seed as hookd's.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { seededJsonBody, seededRandom } from '../seeded.js';
import { type Delivery, signAndPost, signingKey } from './sign-and-post.js';

const urls = (process.env.BENCH_URLS ?? '').split(',');
const messages = Number(process.env.BENCH_MESSAGES);
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const key = signingKey(process.env.BENCH_SECRET ?? '');
const name = `hookd-bench-${process.pid}`;
const connection = new Redis(process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue<Delivery>(name, { connection });
const dispatcher = new Agent({ connections: concurrency });

const random = seededRandom(Number(process.env.BENCH_SEED));
const jobs = Array.from({ length: messages }, () => seededJsonBody(random, 1024)).flatMap((body, n) =>
  urls.map((url) => ({
    name: 'webhook',
    data: { url, id: `msg_${n}`, body },
    opts: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 } },
  })),
);
for (let i = 0; i < jobs.length; i += 1_000) await queue.addBulk(jobs.slice(i, i + 1_000));

function send(job: Job<Delivery>): Promise<void> {
  return signAndPost(dispatcher, key, job.data);
}

let worker: Worker<Delivery> | null = null;
process.on('message', async (command) => {
  if (command === 'start') worker = new Worker<Delivery>(name, send, { connection, concurrency });
  if (command === 'stop') {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await dispatcher.close();
    connection.disconnect();
    process.exit(0);
  }
});
process.send?.('queued');
