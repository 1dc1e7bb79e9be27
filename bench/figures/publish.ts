/**
 * Publish throughput: events accepted per second over HTTP (`POST /v1/apps/{app}/events`, 1 KiB events, 32 requests
 * in flight), each committed (message and delivery row) before its 202, by a `hookd serve --role api` child on SQLite,
 * then on PostgreSQL. Baseline, just before each, in the same run: a bare fastify route in a child process answering
 * the same requests without storing them. Goal: at least 50% of the baseline. Beside them, the floor of publishing on
 * hookd's store (bench/servers/publish-floor.ts: that route, the envelope and the store's write, nothing else).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, killHard, waitReady } from '../../packages/server/test/helpers/processes.js';
import { CpuMeter, type Groups, inMicroseconds, perUnit } from '../cpu.js';
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase, Deployment, PUBLISH_CONCURRENCY, TOKEN } from '../hookd.js';
import { closedLoop, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0004;
const MEASURED = 5_000;
const GOAL = 0.5;
const BARE = fileURLToPath(new URL('../servers/bare-fastify.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('../servers/publish-floor.ts', import.meta.url));

/** A publishing server's rate and its CPU per event (µs) by group: the server's processes, PostgreSQL's backends. */
interface Measured {
  rate: number;
  cpuUs: ReturnType<typeof inMicroseconds>;
}

/**
 * Publishes per second through `publish`, after an untimed warm-up (JIT, connections, page cache), with the CPU per
 * event of `groups` (and of the database's backends, with a `databaseUrl`) over the timed part.
 */
async function rate(
  publish: (body: string) => Promise<unknown>,
  bodies: readonly string[],
  groups: Groups,
  databaseUrl: string | null,
): Promise<Measured> {
  const meter = await CpuMeter.open(databaseUrl);
  try {
    await closedLoop(PUBLISH_CONCURRENCY, WARMUP_ARRIVALS, (n) => publish(bodies[n % bodies.length] as string));
    const before = await meter.sample(groups);
    const value = await closedLoop(PUBLISH_CONCURRENCY, MEASURED, (n) => publish(bodies[n % bodies.length] as string));
    const spent = perUnit(CpuMeter.spent(before, await meter.sample(groups)), MEASURED);
    return { rate: value, cpuUs: inMicroseconds(spent) };
  } finally {
    await meter.close();
  }
}

/**
 * The rate of a server standing in for hookd (a script under bench/servers, in a child process), with the same client
 * as hookd's (Deployment.publish); `databaseUrl` adds PostgreSQL's backends to its CPU.
 */
async function childRate(
  script: string,
  env: Record<string, string>,
  bodies: readonly string[],
  databaseUrl: string | null,
): Promise<Measured> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, ...env, BENCH_PORT: String(port), BENCH_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = new Deployment('none');
  try {
    server.api = `http://127.0.0.1:${port}`;
    await waitReady(server.api);
    await server.connect();
    return await rate((body) => server.publish(body), bodies, { server: [child.pid as number] }, databaseUrl);
  } finally {
    await server.stop();
    await killHard(child);
  }
}

/** The floor of publishing on hookd's store: the bare route plus the envelope and the store's write, nothing else. */
async function floorRate(backend: Backend, bodies: readonly string[]): Promise<Measured> {
  const receivers = await startReceivers([{ kind: 'hang' }]);
  const db = await createDatabase(backend);
  try {
    const env = { BENCH_DATABASE_URL: db.url, BENCH_URL: receivers.urls[0] as string };
    return await childRate(FLOOR, env, bodies, backend === 'PostgreSQL' ? db.url : null);
  } finally {
    await receivers.close();
    await db.drop();
  }
}

async function hookdRate(backend: Backend, bodies: readonly string[]): Promise<Measured> {
  // A paused receiver: the endpoint gets its delivery rows, and no worker runs in an `api` process anyway.
  const receivers = await startReceivers([{ kind: 'hang' }]);
  const db = await createDatabase(backend);
  const deployment = new Deployment(db.url);
  try {
    await deployment.startApi('api');
    await deployment.createApp(receivers.urls);
    return await rate((body) => deployment.publish(body), bodies, deployment.groups, backend === 'PostgreSQL' ? db.url : null);
  } finally {
    await deployment.stop();
    await receivers.close();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'publish',
  description: `publish throughput over HTTP, SQLite and PostgreSQL, vs a bare fastify route (${MEASURED} events, ${PUBLISH_CONCURRENCY} in flight)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: 1_000 }, () => seededJsonBody(random, 1024));
    const rows: Row[] = [];
    for (const backend of ['SQLite', 'PostgreSQL'] as const) {
      const baseline = await childRate(BARE, {}, bodies, null);
      const floor = await floorRate(backend, bodies);
      const hookd = await hookdRate(backend, bodies);
      const settings = { events: MEASURED, warmup: WARMUP_ARRIVALS, concurrency: PUBLISH_CONCURRENCY, bodyBytes: 1024 };
      rows.push(
        compared({
          figure: `publish events/s, ${backend}, 1 endpoint`,
          value: hookd.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'bare fastify route, nothing stored', value: baseline.rate },
          goal: GOAL,
          details: settings,
        }),
        bounded({
          figure: `CPU µs per published event, ${backend} (${Object.keys(hookd.cpuUs.groups).join(' + ')}; bare route ${baseline.cpuUs.groups.server} µs)`,
          value: hookd.cpuUs.total,
          unit: 'µs/event',
          better: 'lower',
          details: { ...hookd.cpuUs.groups, bareRoute: baseline.cpuUs.groups.server },
        }),
        compared({
          figure: `publish events/s, the floor on ${backend}'s store (bare route + envelope + store write), 1 endpoint`,
          value: floor.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'bare fastify route, nothing stored', value: baseline.rate },
          details: { ...settings, cpuUs: floor.cpuUs.groups },
        }),
        compared({
          figure: `publish events/s, hookd against the publish floor, ${backend}`,
          value: hookd.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'the floor route, same run', value: floor.rate },
          details: { cpuUs: { hookd: hookd.cpuUs.total, floor: floor.cpuUs.total } },
        }),
      );
    }
    return rows;
  },
};

export default figure;
