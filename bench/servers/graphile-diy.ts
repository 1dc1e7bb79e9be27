/**
 * The do-it-yourself sender teams build on PostgreSQL, as a child process: graphile-worker 0.17 in a database of its
 * own (BENCH_DATABASE_URL), one job per delivery, a task that signs and POSTs (sign-and-post.ts), retried by
 * graphile-worker's backoff. Like bullmq-diy.ts: `queued` once the jobs are in, then `start` and `stop` from the parent.
 * BENCH_BATCHED=1 turns on graphile-worker's opt-in batching (a local queue of jobs, batched completions), which
 * its performance page suggests for many short jobs; the default is off.
 */
import { Logger, makeWorkerUtils, type Runner, run } from 'graphile-worker';
import { Agent } from 'undici';
import { seededJsonBody, seededRandom } from '../seeded.js';
import { type Delivery, signAndPost, signingKey } from './sign-and-post.js';

const connectionString = process.env.BENCH_DATABASE_URL;
const urls = (process.env.BENCH_URLS ?? '').split(',');
const messages = Number(process.env.BENCH_MESSAGES);
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const batched = process.env.BENCH_BATCHED === '1';
const key = signingKey(process.env.BENCH_SECRET ?? '');
// Silent, as hookd's logs are in the bench.
const logger = new Logger(() => () => {});
const dispatcher = new Agent({ connections: concurrency });

const utils = await makeWorkerUtils({ connectionString, logger });
await utils.migrate();
const random = seededRandom(Number(process.env.BENCH_SEED));
const jobs = Array.from({ length: messages }, () => seededJsonBody(random, 1024)).flatMap((body, n) =>
  urls.map((url) => ({ identifier: 'webhook', payload: { url, id: `msg_${n}`, body }, maxAttempts: 8 })),
);
for (let i = 0; i < jobs.length; i += 1_000) await utils.addJobs(jobs.slice(i, i + 1_000));

let runner: Runner | null = null;
process.on('message', async (command) => {
  if (command === 'start') {
    runner = await run({
      connectionString,
      concurrency,
      // graphile-worker warns when its pool is smaller than its concurrency.
      maxPoolSize: concurrency,
      noHandleSignals: true,
      logger,
      taskList: { webhook: (payload) => signAndPost(dispatcher, key, payload as Delivery) },
      ...(batched ? { preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0 } } } : {}),
    });
  }
  if (command === 'stop') {
    await runner?.stop();
    await utils.release();
    await dispatcher.close();
    process.exit(0);
  }
});
process.send?.('queued');
