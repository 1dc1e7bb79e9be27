/**
 * End-to-end delivery on loopback, hookd as users run it (`hookd serve` child processes), to 1 and to 10 endpoints,
 * on SQLite (one process) and PostgreSQL (an API process and a worker process):
 * - drain rate: messages published while no worker runs, then the worker starts and delivers them all; deliveries
 *   per second over the last 4,000, after 4,000 of warm-up (the process compiling its code). Baseline, just before, in
 *   the same run, after a warm-up as long: a plain undici loop POSTing the same bodies to the same receivers with
 *   the same concurrency, nothing stored or signed. Goal on SQLite: 60%.
 * - latency (1 endpoint): with the worker running, messages published at half the drain rate just measured, after a
 *   second of warm-up; publish-to-receive p50 and p99. Goal: p99 under 25 ms on both.
 * - PostgreSQL against SQLite: one worker's drain rate over SQLite's, same fan-out, same run. Goal: 80%.
 * `BENCH_BACKENDS=PostgreSQL` and `BENCH_ENDPOINTS=1` (comma lists) run part of it, when that part is what changed.
 */

import { CpuMeter, type CpuSpent, inMicroseconds, meteredDrain, STATS_SETTLE_MS } from '../cpu.js';
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, drain, publishLatencies, type Topology } from '../hookd.js';
import { percentile, type Receivers, rawHttpRate, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0002;
/** Deliveries measured per drain, whatever the fan-out, after WARMUP_ARRIVALS more. */
const DELIVERIES = 4_000;
const DRAINED = WARMUP_ARRIVALS + DELIVERIES;
/** hookd's defaults: 32 in flight to one endpoint, 256 in one process. */
const ENDPOINT_CONCURRENCY = 32;
const PROCESS_CONCURRENCY = 256;
const LATENCY_SECONDS = 3;
const WARMUP_SECONDS = 1;
const GOAL_RATIO_SQLITE = 0.6;
const GOAL_P99_MS = 25;
const GOAL_RATIO_POSTGRES_TO_SQLITE = 0.8;
/** PostgreSQL's own CPU per delivered message. */
const GOAL_POSTGRES_US = 150;

/**
 * The same after a warm-up at that rate, not counted (the drain ran the worker's code, not the publishing route's),
 * with the cores each process kept busy meanwhile (CPU ms per ms of wall time): `bench` is this process, the load
 * generator and the receivers. A process near 1, or a sum near the machine's cores, is saturated: a queue forms.
 */
async function steadyLatencies(
  deployment: Deployment,
  receivers: Receivers,
  bodies: readonly string[],
  rate: number,
  meter: CpuMeter,
) {
  await publishLatencies(deployment, receivers, bodies, rate, WARMUP_SECONDS);
  const before = await meter.sample(deployment.groups);
  const [benchBefore, startedAt] = [process.cpuUsage(), performance.now()];
  const measured = await publishLatencies(deployment, receivers, bodies, rate, LATENCY_SECONDS);
  const wallMs = performance.now() - startedAt;
  const bench = process.cpuUsage(benchBefore);
  const spent = { ...CpuMeter.spent(before, await meter.sample(deployment.groups)), bench: (bench.user + bench.system) / 1000 };
  const coresBusy = Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, Math.round((ms / wallMs) * 100) / 100]));
  return { latencies: measured, coresBusy };
}

async function measure(topology: Topology, endpoints: number, bodies: readonly string[]): Promise<Row[]> {
  const receivers = await startReceivers(Array.from({ length: endpoints }, () => ({ kind: 'fast' as const })));
  const name = `${topology.backend}, ${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
  const messages = bodies.slice(0, DRAINED / endpoints);
  const concurrency = Math.min(PROCESS_CONCURRENCY, ENDPOINT_CONCURRENCY * endpoints);
  const db = await createDatabase(topology.backend);
  const meter = await CpuMeter.open(topology.backend === 'PostgreSQL' ? db.url : null);
  const deployment = new Deployment(db.url);
  try {
    // The baseline runs just before, so both see the machine in the same state.
    const baseline = await rawHttpRate(receivers, bodies.slice(0, DELIVERIES), concurrency);
    const countedBefore = await meter.counters();
    const { rate, cpuMsPer, receiversMsPer } = await meteredDrain(
      receivers,
      meter,
      () => deployment.groups,
      () => drain(deployment, topology, receivers, messages),
    );
    const rows: Row[] = [
      compared({
        figure: `deliveries/s, ${name}`,
        value: rate,
        unit: 'deliveries/s',
        better: 'higher',
        baseline: { name: `undici loop, ${concurrency} in flight, nothing stored`, value: baseline },
        ...(topology.backend === 'SQLite' ? { goal: GOAL_RATIO_SQLITE } : {}),
        details: { deliveries: DELIVERIES, warmup: WARMUP_ARRIVALS, concurrency, bodyBytes: 1024 },
      }),
      ...cpuRows(name, cpuMsPer, receiversMsPer),
    ];
    if (topology.backend === 'PostgreSQL') {
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const counted = await meter.counters();
      const per = (n: number, counter: string) => Math.round(((n - (countedBefore[counter] ?? 0)) / DRAINED) * 100) / 100;
      // Publish included: the database's work per delivery, whole, to set beside its CPU.
      (rows.at(-1) as Row).details = Object.fromEntries(
        Object.entries(counted).map(([name, n]) => [`${name}PerDelivery`, per(n, name)]),
      );
    }
    if (endpoints === 1) {
      const steadyRate = Math.round(rate / 2);
      const { latencies, coresBusy } = await steadyLatencies(deployment, receivers, bodies, steadyRate, meter);
      for (const [label, p] of [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const) {
        rows.push(
          bounded({
            figure: `publish-to-receive ${label}, ${name}, ${steadyRate}/s (half the drain rate)`,
            value: percentile(latencies, p),
            unit: 'ms',
            better: 'lower',
            ...(label === 'p99' ? { bound: GOAL_P99_MS } : {}),
            details: { messages: latencies.length, ratePerS: steadyRate, max: Math.max(...latencies), coresBusy },
          }),
        );
      }
    }
    return rows;
  } finally {
    await deployment.stop();
    await meter.close();
    await receivers.close();
    await db.drop();
  }
}

/**
 * The drain's CPU per delivery, in µs: every process's and the database's together (each apart in the details),
 * and on PostgreSQL the backends' alone, against their goal.
 */
function cpuRows(name: string, cpuMsPer: CpuSpent, receiversMsPer: number): Row[] {
  const { groups: us, total } = inMicroseconds(cpuMsPer);
  const rows = [
    bounded({
      figure: `CPU µs per delivery, ${name} (${Object.keys(us).join(' + ')})`,
      value: total,
      unit: 'µs/delivery',
      better: 'lower',
      // The receivers' side of each request, to take from the undici loop's whole request: what sending costs.
      details: { ...us, receiversInBench: Math.round(receiversMsPer * 1000) },
    }),
  ];
  if (us.postgres === undefined) return rows;
  return [
    ...rows,
    bounded({
      figure: `PostgreSQL backends' CPU µs per delivery, ${name}`,
      value: us.postgres,
      unit: 'µs/delivery',
      better: 'lower',
      bound: GOAL_POSTGRES_US,
    }),
  ];
}

/** The values of a comma-separated variable, or null when it is unset (everything runs). */
function only(variable: string): string[] | null {
  const value = process.env[variable];
  return value ? value.split(',').map((part) => part.trim()) : null;
}

const figure: Figure = {
  name: 'delivery',
  description: `end-to-end deliveries/s to 1 and 10 endpoints, and latency at half that rate, SQLite and PostgreSQL (${DELIVERIES} deliveries after ${WARMUP_ARRIVALS} of warm-up)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DRAINED }, () => seededJsonBody(random, 1024));
    const rows: Row[] = [];
    const backends = only('BENCH_BACKENDS');
    const fanOuts = only('BENCH_ENDPOINTS');
    for (const topology of [{ backend: 'SQLite' }, { backend: 'PostgreSQL', workers: 1 }] as const) {
      if (backends && !backends.includes(topology.backend)) continue;
      for (const endpoints of [1, 10]) {
        if (!fanOuts || fanOuts.includes(String(endpoints))) rows.push(...(await measure(topology, endpoints, bodies)));
      }
    }
    for (const endpoints of ['1 endpoint', '10 endpoints']) {
      const rate = (backend: string) => rows.find((row) => row.figure === `deliveries/s, ${backend}, ${endpoints}`)?.value;
      const [sqlite, postgres] = [rate('SQLite'), rate('PostgreSQL')];
      if (sqlite === undefined || postgres === undefined) continue;
      rows.push(
        compared({
          figure: `deliveries/s, PostgreSQL (one worker) against SQLite, ${endpoints}`,
          value: postgres,
          unit: 'deliveries/s',
          better: 'higher',
          baseline: { name: 'SQLite, same run', value: sqlite },
          goal: GOAL_RATIO_POSTGRES_TO_SQLITE,
        }),
      );
    }
    return rows;
  },
};

export default figure;
