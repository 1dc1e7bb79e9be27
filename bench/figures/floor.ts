/**
 * The floor of a delivering process that commits every attempt from the thread that sends: the least such a process
 * does per delivery (bench/servers/floor-sender.ts: claim from hookd's store, sign, POST, record, 32 in flight, nothing
 * else), drained as `delivery` drains hookd (1 endpoint, 4,000 deliveries after 4,000 of warm-up), against the undici
 * loop that is `delivery`'s baseline and against hookd itself, all in the same run, on SQLite and on PostgreSQL. What
 * hookd could reach with none of its own overhead; the goals of `delivery` are shown against it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CpuMeter, inMicroseconds, type MeteredDrain, meteredDrain } from '../cpu.js';
import { compared, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase, Deployment, drain } from '../hookd.js';
import { type Receivers, rawHttpRate, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededBytes, seededJsonBody, seededRandom } from '../seeded.js';
import { senderDrain } from '../sender.js';

const SEED = 0x5eed_000b;
const DELIVERIES = 4_000;
const DRAINED = WARMUP_ARRIVALS + DELIVERIES;
const IN_FLIGHT = 32;
const SENDER = fileURLToPath(new URL('../servers/floor-sender.ts', import.meta.url));

async function floorDrain(backend: Backend, receivers: Receivers, storeThread = false): Promise<MeteredDrain> {
  const db = await createDatabase(backend);
  const meter = await CpuMeter.open(backend === 'PostgreSQL' ? db.url : null);
  const child = spawn(process.execPath, [...process.execArgv, SENDER], {
    env: {
      ...process.env,
      BENCH_DATABASE_URL: db.url,
      BENCH_URL: receivers.urls[0],
      BENCH_MESSAGES: String(DRAINED),
      BENCH_SEED: String(SEED),
      BENCH_SECRET: `whsec_${seededBytes(seededRandom(SEED), 32).toString('base64')}`,
      ...(storeThread ? { BENCH_STORE_THREAD: '1' } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    return await senderDrain(child, 'the floor sender', receivers, meter, () => ({ sender: [child.pid as number] }), DRAINED);
  } finally {
    await meter.close();
    await db.drop();
  }
}

async function hookdDrain(backend: Backend, receivers: Receivers, bodies: readonly string[]): Promise<MeteredDrain> {
  const db = await createDatabase(backend);
  const meter = await CpuMeter.open(backend === 'PostgreSQL' ? db.url : null);
  const deployment = new Deployment(db.url);
  try {
    const topology = backend === 'SQLite' ? { backend } : { backend, workers: 1 };
    return await meteredDrain(
      receivers,
      meter,
      () => deployment.groups,
      () => drain(deployment, topology, receivers, bodies),
    );
  } finally {
    await deployment.stop();
    await meter.close();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'floor',
  description: `the one-thread floor: claim, sign, POST and record and nothing else, against the undici loop and hookd, 1 endpoint (${DELIVERIES} deliveries after ${WARMUP_ARRIVALS} of warm-up)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DRAINED }, () => seededJsonBody(random, 1024));
    const rows: Row[] = [];
    for (const backend of ['SQLite', 'PostgreSQL'] as const) {
      const receivers = await startReceivers([{ kind: 'fast' }]);
      try {
        const loop = await rawHttpRate(receivers, bodies.slice(0, DELIVERIES), IN_FLIGHT);
        const floor = await floorDrain(backend, receivers);
        const hookd = await hookdDrain(backend, receivers, bodies);
        // better-sqlite3 blocks the thread it runs on; PostgreSQL's driver already waits off it.
        const threaded = backend === 'SQLite' ? await floorDrain(backend, receivers, true) : null;
        const floorUs = inMicroseconds(floor.cpuMsPer);
        const hookdUs = inMicroseconds(hookd.cpuMsPer);
        const settings = { deliveries: DELIVERIES, warmup: WARMUP_ARRIVALS, inFlight: IN_FLIGHT, claim: 2 * IN_FLIGHT };
        rows.push(
          compared({
            figure: `deliveries/s, the one-thread floor on ${backend}, 1 endpoint`,
            value: floor.rate,
            unit: 'deliveries/s',
            better: 'higher',
            baseline: { name: `undici loop, ${IN_FLIGHT} in flight, nothing stored`, value: loop },
            details: { ...settings, cpuUs: floorUs.groups, receiversInBench: Math.round(floor.receiversMsPer * 1000) },
          }),
          compared({
            figure: `deliveries/s, hookd against the one-thread floor, ${backend}, 1 endpoint`,
            value: hookd.rate,
            unit: 'deliveries/s',
            better: 'higher',
            baseline: { name: 'the floor sender, same run', value: floor.rate },
            details: { cpuUs: hookdUs.groups, receiversInBench: Math.round(hookd.receiversMsPer * 1000) },
          }),
          compared({
            figure: `CPU µs per delivery, hookd against the one-thread floor, ${backend}, 1 endpoint`,
            value: hookdUs.total,
            unit: 'µs/delivery',
            better: 'lower',
            baseline: { name: 'the floor sender (+ backends), same run', value: floorUs.total },
            details: { hookd: hookdUs.groups, floor: floorUs.groups },
          }),
        );
        if (threaded) {
          rows.push(
            compared({
              figure: `deliveries/s, the floor with the store on a thread of its own, ${backend}, 1 endpoint`,
              value: threaded.rate,
              unit: 'deliveries/s',
              better: 'higher',
              baseline: { name: `undici loop, ${IN_FLIGHT} in flight, nothing stored`, value: loop },
              details: { cpuUs: inMicroseconds(threaded.cpuMsPer).groups, floorRate: Math.round(floor.rate) },
            }),
          );
        }
      } finally {
        await receivers.close();
      }
    }
    return rows;
  },
};

export default figure;
