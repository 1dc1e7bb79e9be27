/**
 * hookd against the do-it-yourself alternative: BullMQ on the machine's Redis, signing with node:crypto, POSTing with
 * undici (bench/servers/bullmq-diy.ts, a child process like hookd). The same messages, drained the same way (queued
 * while no worker runs, then delivered) to the same receiver with the same concurrency (32, hookd's per-endpoint cap).
 * hookd runs on SQLite in one process, and commits every attempt; the BullMQ jobs live in Redis's memory.
 * Goal: hookd 1.5× as fast. Beside the rates, the CPU per delivery of each side: hookd's process, the sender's and
 * Redis's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CpuMeter, inMicroseconds, type MeteredDrain, meteredDrain, pidsNamed } from '../cpu.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, drain } from '../hookd.js';
import { type Receivers, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededBytes, seededJsonBody, seededRandom } from '../seeded.js';
import { senderDrain } from '../sender.js';

const SEED = 0x5eed_0005;
/** Messages measured, after WARMUP_ARRIVALS more on each side. */
const MESSAGES = 4_000;
const DRAINED = WARMUP_ARRIVALS + MESSAGES;
const CONCURRENCY = 32;
const GOAL = 1.5;
const DIY = fileURLToPath(new URL('../servers/bullmq-diy.ts', import.meta.url));

async function bullmqDrain(receivers: Receivers, meter: CpuMeter): Promise<MeteredDrain> {
  const child = spawn(process.execPath, [...process.execArgv, DIY], {
    env: {
      ...process.env,
      BENCH_URLS: receivers.urls.join(','),
      BENCH_MESSAGES: String(DRAINED),
      BENCH_CONCURRENCY: String(CONCURRENCY),
      BENCH_SEED: String(SEED),
      BENCH_SECRET: `whsec_${seededBytes(seededRandom(SEED), 32).toString('base64')}`,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const groups = () => ({ sender: [child.pid as number], redis: pidsNamed('redis-server') });
  return senderDrain(child, 'the BullMQ sender', receivers, meter, groups, DRAINED);
}

async function hookdDrain(receivers: Receivers, meter: CpuMeter): Promise<MeteredDrain> {
  const random = seededRandom(SEED);
  const bodies = Array.from({ length: DRAINED }, () => seededJsonBody(random, 1024));
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url);
  try {
    const deliver = () => drain(deployment, { backend: 'SQLite' }, receivers, bodies);
    return await meteredDrain(receivers, meter, () => deployment.groups, deliver);
  } finally {
    await deployment.stop();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'bullmq',
  description: `hookd (SQLite) vs BullMQ + undici + node:crypto on Redis, end-to-end deliveries/s, 1 endpoint (${MESSAGES} messages after ${WARMUP_ARRIVALS} of warm-up)`,
  async run(): Promise<Row[]> {
    const receivers = await startReceivers([{ kind: 'fast' }]);
    const meter = await CpuMeter.open(null);
    try {
      const baseline = await bullmqDrain(receivers, meter);
      const hookd = await hookdDrain(receivers, meter);
      const name = 'BullMQ 6 on Redis + undici + node:crypto, nothing persisted per attempt';
      const hookdUs = inMicroseconds(hookd.cpuMsPer);
      const baselineUs = inMicroseconds(baseline.cpuMsPer);
      return [
        compared({
          figure: 'deliveries/s, hookd SQLite vs BullMQ do-it-yourself, 1 endpoint',
          value: hookd.rate,
          unit: 'deliveries/s',
          better: 'higher',
          baseline: { name, value: baseline.rate },
          goal: GOAL,
          details: { messages: MESSAGES, warmup: WARMUP_ARRIVALS, concurrency: CONCURRENCY, bodyBytes: 1024 },
        }),
        compared({
          figure: 'CPU µs per delivery, hookd SQLite vs BullMQ do-it-yourself (sender + Redis), 1 endpoint',
          value: hookdUs.total,
          unit: 'µs/delivery',
          better: 'lower',
          baseline: { name, value: baselineUs.total },
          details: { hookd: hookdUs.groups, baseline: baselineUs.groups },
        }),
      ];
    } finally {
      await meter.close();
      await receivers.close();
    }
  },
};

export default figure;
