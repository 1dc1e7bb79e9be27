/**
 * hookd against the do-it-yourself alternative: BullMQ on the machine's Redis, signing with node:crypto, POSTing with
 * undici (bench/servers/bullmq-diy.ts, a child process like hookd). The same messages, drained the same way (queued
 * while no worker runs, then delivered) to the same receiver with the same concurrency (32, hookd's per-endpoint cap).
 * hookd runs on SQLite in one process, and commits every attempt; the BullMQ jobs live in Redis's memory.
 * Goal: hookd faster.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killHard } from '../../packages/server/test/helpers/processes.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, drain } from '../hookd.js';
import { arrivalRate, type Receivers, startReceivers, waitFor } from '../loopback.js';
import { seededBytes, seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0005;
const MESSAGES = 4_000;
const CONCURRENCY = 32;
const DIY = fileURLToPath(new URL('../servers/bullmq-diy.ts', import.meta.url));

async function bullmqRate(receivers: Receivers): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, DIY], {
    env: {
      ...process.env,
      BENCH_URLS: receivers.urls.join(','),
      BENCH_MESSAGES: String(MESSAGES),
      BENCH_CONCURRENCY: String(CONCURRENCY),
      BENCH_SEED: String(SEED),
      BENCH_SECRET: `whsec_${seededBytes(seededRandom(SEED), 32).toString('base64')}`,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench: the BullMQ child exited (${code}) before queueing`)));
    });
    receivers.clear();
    child.send('start');
    const arrivals = receivers.arrivals[0] as Map<string, number>;
    await waitFor(() => arrivals.size >= MESSAGES, 180_000, 'BullMQ to drain');
    return arrivalRate(receivers);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await killHard(child);
  }
}

async function hookdRate(receivers: Receivers): Promise<number> {
  const random = seededRandom(SEED);
  const bodies = Array.from({ length: MESSAGES }, () => seededJsonBody(random, 1024));
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url);
  try {
    await drain(deployment, { backend: 'SQLite' }, receivers, bodies);
    return arrivalRate(receivers);
  } finally {
    await deployment.stop();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'bullmq',
  description: `hookd (SQLite) vs BullMQ + undici + node:crypto on Redis, end-to-end deliveries/s, 1 endpoint (${MESSAGES} messages)`,
  async run(): Promise<Row[]> {
    const receivers = await startReceivers([{ kind: 'fast' }]);
    try {
      const baseline = await bullmqRate(receivers);
      const value = await hookdRate(receivers);
      return [
        compared({
          figure: 'deliveries/s, hookd SQLite vs BullMQ do-it-yourself, 1 endpoint',
          value,
          unit: 'deliveries/s',
          better: 'higher',
          baseline: { name: 'BullMQ 6 on Redis + undici + node:crypto, nothing persisted per attempt', value: baseline },
          goal: 1,
          details: { messages: MESSAGES, concurrency: CONCURRENCY, bodyBytes: 1024 },
        }),
      ];
    } finally {
      await receivers.close();
    }
  },
};

export default figure;
