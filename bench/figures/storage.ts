/**
 * The storage floor of one delivery: what the queue costs with no HTTP at all. 4,000 messages to 1 endpoint are
 * published into the store (in this process) after 4,000 of warm-up, then drained, the warm-up first, the way the
 * worker drains them — claims of 256, each claimed delivery's attempt recorded as a 200 with the claims' records
 * together (the store commits records that arrive together in one transaction) — and the CPU of the drain is read from
 * /proc: this process and, on PostgreSQL, the database's backends. Beside it, the same process's CPU per request of the
 * undici loop the `delivery` figure uses as its baseline, sending and receiving on loopback, measured just before: what
 * an HTTP request costs here; and the same loop's sending alone, in a child process against receivers in this one
 * (`servers/undici-sender.ts`). Claim + record and a request's sending half are the floor of one delivery. The
 * publishing before the drain is measured too, 32 at a time as behind the API: with the bare route's HTTP, the floor of
 * one publish.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newId } from '../../packages/server/src/domain/index.js';
import { openStore } from '../../packages/server/src/store/index.js';
import { anApp, anAttempt, anEndpoint, T0 } from '../../packages/server/test/store/fixtures.js';
import { CpuMeter, perUnit } from '../cpu.js';
import { bounded, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase, PUBLISH_CONCURRENCY } from '../hookd.js';
import { closedLoop, rawHttpRate, startReceivers, WARMUP_ARRIVALS } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_000a;
const DELIVERIES = 4_000;
const CLAIM = 256;

/** CPU per message (µs) of publishing alone and of claim + record alone: this process's and the backends'. */
interface StorageCost {
  publish: { process: number; backends: number };
  drain: { process: number; backends: number };
}

const microseconds = (spent: Record<string, number>) => ({
  process: Math.round((spent.bench ?? 0) * 1000),
  backends: Math.round((spent.postgres ?? 0) * 1000),
});

async function storageCost(backend: Backend, bodies: readonly string[]): Promise<StorageCost> {
  const db = await createDatabase(backend);
  const store = await openStore(db.url);
  const meter = await CpuMeter.open(backend === 'PostgreSQL' ? db.url : null);
  const sample = () => meter.sample({ bench: [process.pid] });
  try {
    const app = await store.createApp(anApp());
    await store.createEndpoint(anEndpoint(app.id));
    // As the API publishes: PUBLISH_CONCURRENCY at a time, so the store batches them as it does behind HTTP.
    const publish = (from: number, count: number) =>
      closedLoop(PUBLISH_CONCURRENCY, count, async (n) => {
        const i = from + n;
        // Stamped as the API stamps them, about 8 a millisecond at the rates measured here: ids sort by that time, so
        // a claim's deliveries sit side by side in the indexes kept in id order. All in one millisecond, they would be
        // scattered there (SQLite: updating a claim of 16 wrote 76 pages to the WAL instead of 21).
        const message = {
          id: newId('msg', T0 + i),
          appId: app.id,
          type: 'order.created',
          payload: bodies[i % bodies.length] as string,
          idempotencyKey: null,
          createdAt: T0 + Math.floor(i / 8),
        };
        await store.publishMessage({ message, idempotencyWindowMs: 0 });
      });
    let now = T0 + WARMUP_ARRIVALS + bodies.length;
    const drain = async (count: number) => {
      for (let drained = 0; drained < count; now++) {
        const claimed = await store.claimDueDeliveries({
          now,
          limit: Math.min(CLAIM, count - drained),
          leaseMs: 30_000,
          endpointCap: CLAIM,
          inFlight: new Map(),
        });
        if (claimed.length === 0) throw new Error('bench: the store ran dry before every delivery was claimed');
        const next = { status: 'succeeded' } as const;
        await Promise.all(
          claimed.map((c) =>
            store.recordAttempt({ attempt: anAttempt(c.delivery.id, { startedAt: now }), leaseToken: c.leaseToken, next, now }),
          ),
        );
        drained += claimed.length;
      }
    };
    // The store's code warms up first, as every drain's does (WARMUP_ARRIVALS); then each is measured.
    await publish(0, WARMUP_ARRIVALS);
    const publishing = await sample();
    await publish(WARMUP_ARRIVALS, bodies.length);
    const published = await sample();
    await drain(WARMUP_ARRIVALS);
    const before = await sample();
    await drain(bodies.length);
    const after = await sample();
    return {
      publish: microseconds(perUnit(CpuMeter.spent(publishing, published), bodies.length)),
      drain: microseconds(perUnit(CpuMeter.spent(before, after), bodies.length)),
    };
  } finally {
    await meter.close();
    await store.close();
    await db.drop();
  }
}

/** This process's CPU per request of the undici loop (sender and receiver both live here), in µs. */
async function httpCost(bodies: readonly string[]): Promise<number> {
  const receivers = await startReceivers([{ kind: 'fast' }]);
  const meter = await CpuMeter.open(null);
  try {
    await rawHttpRate(receivers, bodies, 32);
    const before = await meter.sample({ bench: [process.pid] });
    // Warm by now, the second loop's own warm-up requests count with the rest.
    await rawHttpRate(receivers, bodies, 32);
    const requests = WARMUP_ARRIVALS + bodies.length;
    return (perUnit(CpuMeter.spent(before, await meter.sample({ bench: [process.pid] })), requests).bench as number) * 1000;
  } finally {
    await meter.close();
    await receivers.close();
  }
}

const SENDER = fileURLToPath(new URL('../servers/undici-sender.ts', import.meta.url));

/** The CPU per request (µs) of the undici loop's sending half alone: a child process, the receivers in this one. */
async function senderCost(body: string): Promise<number> {
  const receivers = await startReceivers([{ kind: 'fast' }]);
  try {
    const child = spawn(process.execPath, [...process.execArgv, SENDER], {
      env: { ...process.env, BENCH_URL: receivers.urls[0], BENCH_BODY: body, BENCH_REQUESTS: String(DELIVERIES * 2) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench: the undici sender exited ${code}`);
    return (JSON.parse(out) as { cpuUsPerRequest: number }).cpuUsPerRequest;
  } finally {
    await receivers.close();
  }
}

const figure: Figure = {
  name: 'storage',
  description: `the storage floor: claim and record ${DELIVERIES} deliveries with no HTTP, CPU per delivery, SQLite and PostgreSQL`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DELIVERIES }, () => seededJsonBody(random, 1024));
    const http = await httpCost(bodies);
    const rows = [
      bounded({
        figure: 'CPU µs per HTTP request, undici loop on loopback (sender and receiver in one process)',
        value: http,
        unit: 'µs/request',
        better: 'lower',
        details: { requests: DELIVERIES, inFlight: 32, bodyBytes: 1024 },
      }),
      bounded({
        figure: 'CPU µs per HTTP request, the undici loop sending alone (receivers in another process)',
        value: await senderCost(bodies[0] as string),
        unit: 'µs/request',
        better: 'lower',
        details: { requests: DELIVERIES * 2, warmup: 2_000, inFlight: 32, bodyBytes: 1024 },
      }),
    ];
    for (const backend of ['SQLite', 'PostgreSQL'] as const) {
      const cost = await storageCost(backend, bodies);
      const who = backend === 'PostgreSQL' ? ' (process + backends)' : ' (process)';
      rows.push(
        bounded({
          figure: `CPU µs per delivery of claim + record alone, ${backend}${who}`,
          value: cost.drain.process + cost.drain.backends,
          unit: 'µs/delivery',
          better: 'lower',
          details: { deliveries: DELIVERIES, claim: CLAIM, ...cost.drain },
        }),
        bounded({
          figure: `CPU µs per event of publishing alone, ${backend}${who}`,
          value: cost.publish.process + cost.publish.backends,
          unit: 'µs/event',
          better: 'lower',
          details: { events: DELIVERIES, concurrency: PUBLISH_CONCURRENCY, ...cost.publish },
        }),
      );
    }
    return rows;
  },
};

export default figure;
