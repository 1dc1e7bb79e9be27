/**
 * hookd on PostgreSQL against the do-it-yourself alternative teams build there: graphile-worker 0.17, signing with
 * node:crypto, POSTing with undici (bench/servers/graphile-diy.ts, a child process like hookd), each in a fresh
 * database of the same PostgreSQL server.
 * - drains, 1 and 10 endpoints: the same deliveries queued while nothing sends, then sent to the same receivers;
 *   deliveries/s after 4,000 of warm-up, as the delivery figure measures hookd. hookd: an API process
 *   and one worker process (as the delivery figure). graphile-worker: its defaults, concurrency 32 and a pool of 32;
 *   then with its opt-in batching on, for information. Goal: hookd at least twice the default sender.
 * - publish: events accepted per second over HTTP, as the publish figure loads hookd, against a bare fastify route
 *   that queues a graphile-worker job with `addJob` before its 202 (bench/servers/graphile-publish.ts).
 * For each, the CPU per delivery (or per event) over the measured part, from /proc: the sender's processes, and the
 * PostgreSQL backends of its database, summed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, killHard, waitReady } from '../../packages/server/test/helpers/processes.js';
import { CpuMeter, type MeteredDrain, meteredDrain, perUnit } from '../cpu.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, type Database, Deployment, drain, PUBLISH_CONCURRENCY, TOKEN } from '../hookd.js';
import { closedLoop, type Receivers, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededBytes, seededJsonBody, seededRandom } from '../seeded.js';
import { senderDrain } from '../sender.js';

const SEED = 0x5eed_0006;
/** Deliveries measured per drain, whatever the fan-out, after WARMUP_ARRIVALS more (as the delivery figure). */
const DELIVERIES = 4_000;
const DRAINED = WARMUP_ARRIVALS + DELIVERIES;
/** graphile-worker has one concurrency per process; 32 is hookd's per endpoint. */
const GRAPHILE_CONCURRENCY = 32;
const GOAL = 2;
const PUBLISH_MEASURED = 5_000;
const DIY = fileURLToPath(new URL('../servers/graphile-diy.ts', import.meta.url));
const PUBLISH = fileURLToPath(new URL('../servers/graphile-publish.ts', import.meta.url));

/** A rate and the CPU behind it, per unit (delivery or event), in ms. */
interface Measured {
  rate: number;
  cpu: { processesMs: number; postgresMs: number; totalMs: number };
}

/** The processes' CPU (every group) and the backends', from a rate and its CPU per unit. */
function measured({ rate, cpuMsPer }: Pick<MeteredDrain, 'rate' | 'cpuMsPer'>): Measured {
  const { postgres: postgresMs = 0, ...groups } = cpuMsPer;
  const processesMs = Object.values(groups).reduce((sum, ms) => sum + ms, 0);
  return { rate, cpu: { processesMs, postgresMs, totalMs: processesMs + postgresMs } };
}

async function withDatabase<T>(work: (db: Database, meter: CpuMeter) => Promise<T>): Promise<T> {
  const db = await createDatabase('PostgreSQL');
  const meter = await CpuMeter.open(db.url);
  try {
    return await work(db, meter);
  } finally {
    await meter.close();
    await db.drop();
  }
}

function spawnChild(script: string, env: Record<string, string>, ipc: boolean): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', ...(ipc ? (['ipc'] as const) : [])],
  });
}

function graphileDrain(receivers: Receivers, bodies: readonly string[], batched: boolean): Promise<Measured> {
  return withDatabase(async (db, meter) => {
    const child = spawnChild(
      DIY,
      {
        BENCH_DATABASE_URL: db.url,
        BENCH_URLS: receivers.urls.join(','),
        BENCH_MESSAGES: String(bodies.length),
        BENCH_CONCURRENCY: String(GRAPHILE_CONCURRENCY),
        BENCH_BATCHED: batched ? '1' : '0',
        BENCH_SEED: String(SEED),
        BENCH_SECRET: `whsec_${seededBytes(seededRandom(SEED), 32).toString('base64')}`,
      },
      true,
    );
    const groups = () => ({ sender: [child.pid as number] });
    return measured(await senderDrain(child, 'the graphile-worker sender', receivers, meter, groups, bodies.length));
  });
}

function hookdDrain(receivers: Receivers, bodies: readonly string[]): Promise<Measured> {
  return withDatabase(async (db, meter) => {
    const deployment = new Deployment(db.url);
    try {
      return measured(
        await meteredDrain(
          receivers,
          meter,
          () => ({ hookd: deployment.pids }),
          () => drain(deployment, { backend: 'PostgreSQL', workers: 1 }, receivers, bodies),
        ),
      );
    } finally {
      await deployment.stop();
    }
  });
}

/** Publishes through `client` after a warm-up, sampling the CPU of `pids` around the measured part. */
async function published(client: Deployment, bodies: readonly string[], meter: CpuMeter, pids: number[]): Promise<Measured> {
  const publish = (n: number) => client.publish(bodies[n % bodies.length] as string);
  await closedLoop(PUBLISH_CONCURRENCY, WARMUP_ARRIVALS, publish);
  const start = await meter.sample({ publisher: pids });
  const rate = await closedLoop(PUBLISH_CONCURRENCY, PUBLISH_MEASURED, publish);
  const cpuMsPer = perUnit(CpuMeter.spent(start, await meter.sample({ publisher: pids })), PUBLISH_MEASURED);
  return measured({ rate, cpuMsPer });
}

function graphilePublish(receivers: Receivers, bodies: readonly string[]): Promise<Measured> {
  return withDatabase(async (db, meter) => {
    const port = await freePort();
    const child = spawnChild(
      PUBLISH,
      { BENCH_PORT: String(port), BENCH_TOKEN: TOKEN, BENCH_DATABASE_URL: db.url, BENCH_URLS: receivers.urls.join(',') },
      false,
    );
    const client = new Deployment('none');
    try {
      client.api = `http://127.0.0.1:${port}`;
      await waitReady(client.api);
      await client.connect();
      return await published(client, bodies, meter, [child.pid as number]);
    } finally {
      await client.stop();
      await killHard(child);
    }
  });
}

function hookdPublish(receivers: Receivers, bodies: readonly string[]): Promise<Measured> {
  return withDatabase(async (db, meter) => {
    const deployment = new Deployment(db.url);
    try {
      await deployment.startApi('api');
      await deployment.createApp(receivers.urls);
      return await published(deployment, bodies, meter, deployment.pids);
    } finally {
      await deployment.stop();
    }
  });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
/** CPU ms per unit on each side, and the cores kept busy: the rate times the CPU per unit. */
const split = (m: Measured) => ({
  processes: round(m.cpu.processesMs),
  postgres: round(m.cpu.postgresMs),
  cores: round((m.rate * m.cpu.totalMs) / 1000),
});

/** The rate row and the CPU row of one comparison. */
function rows(
  what: string,
  unit: 'deliveries' | 'events',
  hookd: Measured,
  baseline: Measured,
  name: string,
  settings: Record<string, unknown>,
  goal?: number,
): Row[] {
  console.error(
    `  ${what}: hookd ${Math.round(hookd.rate)} ${unit}/s, CPU ms each ${JSON.stringify(split(hookd))}; ${name} ${Math.round(baseline.rate)}/s, ${JSON.stringify(split(baseline))}`,
  );
  const perUnitName = unit === 'deliveries' ? 'delivery' : 'event';
  return [
    compared({
      figure: `${unit}/s, ${what}`,
      value: hookd.rate,
      unit: `${unit}/s`,
      better: 'higher',
      baseline: { name, value: baseline.rate },
      ...(goal === undefined ? {} : { goal }),
      details: { ...settings, cpuMsPer: { hookd: split(hookd), baseline: split(baseline) } },
    }),
    compared({
      figure: `CPU ms per ${perUnitName} (processes + PostgreSQL backends), ${what}`,
      value: hookd.cpu.totalMs,
      unit: `ms/${perUnitName}`,
      better: 'lower',
      baseline: { name, value: baseline.cpu.totalMs },
      details: { hookd: split(hookd), baseline: split(baseline) },
    }),
  ];
}

const figure: Figure = {
  name: 'graphile',
  description: `hookd (PostgreSQL) vs graphile-worker + undici + node:crypto: drains to 1 and 10 endpoints (${DELIVERIES} deliveries after ${WARMUP_ARRIVALS} of warm-up), publish (${PUBLISH_MEASURED} events), with CPU per delivery`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DRAINED }, () => seededJsonBody(random, 1024));
    const out: Row[] = [];
    for (const endpoints of [1, 10]) {
      const receivers = await startReceivers(Array.from({ length: endpoints }, () => ({ kind: 'fast' as const })));
      const what = `${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
      try {
        const messages = bodies.slice(0, DRAINED / endpoints);
        const plain = await graphileDrain(receivers, messages, false);
        const batched = await graphileDrain(receivers, messages, true);
        const hookd = await hookdDrain(receivers, messages);
        const name = `graphile-worker 0.17 + undici + node:crypto, concurrency ${GRAPHILE_CONCURRENCY}`;
        const settings = {
          messages: messages.length,
          deliveries: DELIVERIES,
          warmup: WARMUP_ARRIVALS,
          bodyBytes: 1024,
          hookdInFlight: Math.min(256, 32 * endpoints),
          graphileConcurrency: GRAPHILE_CONCURRENCY,
        };
        out.push(...rows(`hookd PostgreSQL vs graphile-worker, ${what}`, 'deliveries', hookd, plain, name, settings, GOAL));
        out.push(
          ...rows(`hookd PostgreSQL vs graphile-worker batched, ${what}`, 'deliveries', hookd, batched, `${name}, batching on`, {
            ...settings,
            graphileBatching: { localQueueSize: GRAPHILE_CONCURRENCY + 1, completeJobBatchDelay: 0 },
          }),
        );
      } finally {
        await receivers.close();
      }
    }
    // A paused receiver: the jobs and delivery rows are written, and nothing sends them.
    const receivers = await startReceivers([{ kind: 'hang' }]);
    try {
      const baseline = await graphilePublish(receivers, bodies);
      const hookd = await hookdPublish(receivers, bodies);
      out.push(
        ...rows(
          'publish, hookd PostgreSQL vs graphile-worker addJob route',
          'events',
          hookd,
          baseline,
          'fastify route + graphile-worker addJob',
          { events: PUBLISH_MEASURED, warmup: WARMUP_ARRIVALS, concurrency: PUBLISH_CONCURRENCY, bodyBytes: 1024 },
        ),
      );
    } finally {
      await receivers.close();
    }
    return out;
  },
};

export default figure;
