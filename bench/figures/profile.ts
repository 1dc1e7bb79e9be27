/**
 * Where one delivery's CPU goes in the process that delivers: a drain of 4,000 deliveries after 4,000 of warm-up, to 1
 * endpoint (SQLite's one process, PostgreSQL's worker process), run under node's `--cpu-prof`, the profile charged to
 * components (claim, sign, HTTP, record, timers/promises, logging, GC, the worker's own code, other; see profile.ts)
 * per delivery. The profiles stay in bench/profiles/ for a flame view (Chrome DevTools, speedscope). Profiling slows
 * the process a little, so the rates of the `delivery` figure come from unprofiled runs. The total is the process's CPU
 * from /proc (after the warm-up, as the drains' rates), shared out as the profile's samples of that same stretch are.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuMeter, meteredDrain, type Stretch } from '../cpu.js';
import { bounded, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase, Deployment, drain } from '../hookd.js';
import { startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { componentsIn, IDLE } from '../profile.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0009;
const DELIVERIES = 4_000;
const PROFILES = fileURLToPath(new URL('../profiles/', import.meta.url));

async function profiled(backend: Backend, bodies: readonly string[]): Promise<Row> {
  const dir = join(PROFILES, backend);
  rmSync(dir, { recursive: true, force: true });
  const receivers = await startReceivers([{ kind: 'fast' }]);
  const db = await createDatabase(backend);
  const meter = await CpuMeter.open(null);
  const deployment = new Deployment(db.url, {}, dir);
  const role = backend === 'SQLite' ? 'both' : 'worker';
  let cpuMs: number;
  let stretch: Stretch;
  try {
    const topology = backend === 'SQLite' ? { backend } : { backend, workers: 1 };
    const deliver = () => drain(deployment, topology, receivers, bodies);
    const metered = await meteredDrain(receivers, meter, () => ({ [role]: deployment.groups[role] ?? [] }), deliver);
    cpuMs = metered.cpuMsPer[role] as number;
    stretch = metered.stretch;
  } finally {
    await deployment.stop();
    await meter.close();
    await receivers.close();
    await db.drop();
  }
  // The profiler samples on a clock, so on a busy machine a sample also covers time the process waited for a core:
  // the profile gives the shares, /proc the CPU they share.
  const { [IDLE]: _idle, ...busy } = componentsIn(join(dir, role), stretch);
  const sampled = Object.values(busy).reduce((sum, us) => sum + us, 0);
  const perDelivery = Object.fromEntries(
    Object.entries(busy)
      .sort(([, a], [, b]) => b - a)
      .map(([component, us]) => [component, Math.round((us / sampled) * cpuMs * 10_000) / 10]),
  );
  console.error(`  ${backend} ${role} process, CPU µs per delivery by component: ${JSON.stringify(perDelivery)}`);
  return bounded({
    figure: `profiled CPU µs per delivery, ${backend} ${role} process, 1 endpoint`,
    value: cpuMs * 1000,
    unit: 'µs/delivery',
    better: 'lower',
    details: {
      deliveries: DELIVERIES,
      warmup: WARMUP_ARRIVALS,
      profiles: `bench/profiles/${backend}/${role}/`,
      components: perDelivery,
    },
  });
}

const figure: Figure = {
  name: 'profile',
  description: `CPU profile of the delivering process by component, SQLite and PostgreSQL (${DELIVERIES} deliveries after ${WARMUP_ARRIVALS} of warm-up)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: WARMUP_ARRIVALS + DELIVERIES }, () => seededJsonBody(random, 1024));
    return [await profiled('SQLite', bodies), await profiled('PostgreSQL', bodies)];
  },
};

export default figure;
