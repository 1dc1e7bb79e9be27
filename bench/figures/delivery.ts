/**
 * End-to-end delivery on loopback, hookd as users run it (`hookd serve` child processes):
 * - drain rate: messages published while no worker runs, then worker processes start and deliver them
 *   all; deliveries per second from the first arrival to the last. Baseline, in the same run: a plain
 *   undici loop POSTing the same bodies to the same receiver with the same concurrency, nothing stored.
 * - latency: with the workers running, messages published at a steady rate; publish-to-receive p50/p99.
 * On SQLite (one process) and on PostgreSQL with 1 and 2 worker processes.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { callApi } from '../../packages/server/test/helpers/hookd.js';
import { createTestDatabase } from '../../packages/server/test/helpers/postgres.js';
import { freePort, killHard, spawnHookd, waitReady } from '../../packages/server/test/helpers/processes.js';
import { compared, type Figure, type Row } from '../figure.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0002;
const MESSAGES = 4_000;
/** hookd's default per-endpoint cap: one worker keeps this many requests in flight to one endpoint. */
const ENDPOINT_CONCURRENCY = 32;
const LATENCY_RATE_PER_S = 100;
const LATENCY_SECONDS = 4;
const TOKEN = 'bench-admin-token';
/** Settings for every hookd process here: defaults, but loopback allowed and quiet logs. */
const SETTINGS = { HOOKD_ADMIN_TOKEN: TOKEN, HOOKD_TIMEOUT: '5s', HOOKD_LEASE: '10s', HOOKD_POLL_INTERVAL: '1s' };

/** The receiver every contender posts to: answers 200 at once and notes when each message first arrived. */
interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, performance.now());
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, server };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The baseline: the same bodies POSTed by undici with `concurrency` requests in flight, nothing stored. */
async function rawHttpRate(receiver: Receiver, bodies: readonly string[], concurrency: number): Promise<number> {
  const url = new URL(receiver.url);
  const pool = new Pool(url.origin, { connections: concurrency });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const n = next++;
        const response = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': `raw_${n}` },
          body: bodies[n],
        });
        await response.body.dump();
      }
    }),
  );
  const rate = bodies.length / ((performance.now() - started) / 1000);
  await pool.close();
  return rate;
}

/** hookd processes sharing one database: one API process, and `workers` worker processes started on demand. */
class Deployment {
  private readonly children: ChildProcess[] = [];
  api = '';

  constructor(private readonly databaseUrl: string) {}

  async startApi(role: 'api' | 'both'): Promise<void> {
    const port = await freePort();
    this.children.push(
      spawnHookd({ ...SETTINGS, HOOKD_ROLE: role, HOOKD_DATABASE_URL: this.databaseUrl, HOOKD_PORT: String(port) }),
    );
    this.api = `http://127.0.0.1:${port}`;
    await waitReady(this.api);
  }

  async startWorkers(count: number): Promise<void> {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    for (const port of ports) {
      this.children.push(
        spawnHookd({ ...SETTINGS, HOOKD_ROLE: 'worker', HOOKD_DATABASE_URL: this.databaseUrl, HOOKD_HEALTH_PORT: String(port) }),
      );
    }
    await Promise.all(ports.map((port) => waitReady(`http://127.0.0.1:${port}`)));
  }

  /** Publishes every body with 32 requests in flight; returns the message ids with the time each publish began. */
  async publish(app: string, bodies: readonly string[]): Promise<Map<string, number>> {
    const sent = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < bodies.length) {
          const n = next++;
          const at = performance.now();
          const answer = await callApi(this.api, TOKEN, 'POST', `/v1/apps/${app}/events`, {
            type: 'bench.delivery',
            data: JSON.parse(bodies[n] as string),
          });
          if (answer.status !== 202) throw new Error(`bench: publish answered ${answer.status}`);
          sent.set(answer.body.id, at);
        }
      }),
    );
    return sent;
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.splice(0).map((child) => killHard(child)));
  }
}

interface Measured {
  drainRate: number;
  p50: number;
  p99: number;
}

/** Publishes with no worker running, starts the workers, times the drain, then measures latency. */
async function measure(
  databaseUrl: string,
  receiver: Receiver,
  bodies: readonly string[],
  workers: number | 'same process',
): Promise<Measured> {
  const deployment = new Deployment(databaseUrl);
  try {
    await deployment.startApi('api');
    await callApi(deployment.api, TOKEN, 'POST', '/v1/apps', { uid: 'bench', name: 'Bench' });
    await callApi(deployment.api, TOKEN, 'POST', '/v1/apps/bench/endpoints', { url: receiver.url });
    const backlog = await deployment.publish('bench', bodies);
    receiver.arrivals.clear();
    if (workers === 'same process') {
      // SQLite: one process does everything, so the API process is replaced by a `both` one.
      await deployment.stop();
      await deployment.startApi('both');
    } else {
      await deployment.startWorkers(workers);
    }
    await waitFor(() => [...backlog.keys()].every((id) => receiver.arrivals.has(id)), 120_000, 'the backlog to drain');
    const times = [...backlog.keys()].map((id) => receiver.arrivals.get(id) as number).sort((a, b) => a - b);
    const drainRate = (times.length - 1) / (((times.at(-1) as number) - (times[0] as number)) / 1000);

    const latencies = await steadyLatencies(deployment, receiver, bodies);
    return { drainRate, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  } finally {
    await deployment.stop();
  }
}

/** Publishes one message every 1/rate seconds and returns each one's publish-to-receive time in ms. */
async function steadyLatencies(deployment: Deployment, receiver: Receiver, bodies: readonly string[]): Promise<number[]> {
  const count = LATENCY_RATE_PER_S * LATENCY_SECONDS;
  const publishes: Promise<Map<string, number>>[] = [];
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / LATENCY_RATE_PER_S;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    publishes.push(deployment.publish('bench', [bodies[n % bodies.length] as string]));
  }
  const sent = new Map((await Promise.all(publishes)).flatMap((m) => [...m]));
  await waitFor(() => [...sent.keys()].every((id) => receiver.arrivals.has(id)), 60_000, 'steady messages to arrive');
  return [...sent].map(([id, at]) => (receiver.arrivals.get(id) as number) - at);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

const figure: Figure = {
  name: 'delivery',
  description: `end-to-end deliveries/s and publish-to-receive latency on loopback, SQLite and PostgreSQL (${MESSAGES} messages)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: MESSAGES }, () => seededJsonBody(random, 1024));
    const receiver = await startReceiver();
    const rows: Row[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
    try {
      const setups: {
        name: string;
        databaseUrl: () => Promise<{ url: string; drop(): Promise<void> }>;
        workers: number | 'same process';
      }[] = [
        {
          name: 'SQLite, 1 process',
          databaseUrl: async () => ({ url: `sqlite:${join(dataDir, 'hookd.db')}`, drop: async () => {} }),
          workers: 'same process',
        },
        { name: 'PostgreSQL, 1 worker process', databaseUrl: () => createTestDatabase(), workers: 1 },
        { name: 'PostgreSQL, 2 worker processes', databaseUrl: () => createTestDatabase(), workers: 2 },
      ];
      for (const setup of setups) {
        const db = await setup.databaseUrl();
        try {
          // The baseline runs just before each contender, so both see the machine in the same state.
          const concurrency = ENDPOINT_CONCURRENCY * (typeof setup.workers === 'number' ? setup.workers : 1);
          const baseline = await rawHttpRate(receiver, bodies, concurrency);
          const result = await measure(db.url, receiver, bodies, setup.workers);
          const details = { messages: MESSAGES, concurrency, bodyBytes: 1024 };
          rows.push(
            compared({
              figure: `deliveries/s, ${setup.name}`,
              value: result.drainRate,
              unit: 'deliveries/s',
              better: 'higher',
              baseline: { name: `undici loop, ${concurrency} in flight, nothing stored`, value: baseline },
              details,
            }),
            {
              figure: `latency p50, ${setup.name}, ${LATENCY_RATE_PER_S}/s`,
              value: result.p50,
              unit: 'ms',
              better: 'lower',
              baseline: null,
              ratio: null,
            },
            {
              figure: `latency p99, ${setup.name}, ${LATENCY_RATE_PER_S}/s`,
              value: result.p99,
              unit: 'ms',
              better: 'lower',
              baseline: null,
              ratio: null,
            },
          );
        } finally {
          await db.drop();
        }
      }
    } finally {
      receiver.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    return rows;
  },
};

export default figure;
