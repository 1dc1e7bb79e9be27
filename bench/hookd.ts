/**
 * hookd as users run it, for the end-to-end figures: `hookd serve` child processes on a SQLite file or a fresh
 * PostgreSQL database, an app with endpoints, publishing over HTTP, and the drain measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { createTestDatabase } from '../packages/server/test/helpers/postgres.js';
import { freePort, killHard, spawnHookd, waitReady } from '../packages/server/test/helpers/processes.js';
import { closedLoop, openLoop, poolTo, type Receivers, waitFor } from './loopback.js';

const DELAY_PROXY = fileURLToPath(new URL('./servers/delay-proxy.ts', import.meta.url));
export const TOKEN = 'bench-admin-token-0123456789abcdefghi';
/** hookd's defaults, but loopback allowed, quiet logs, and a first retry 5 s on (a bench receiver never fails). */
const SETTINGS: Record<string, string> = {
  HOOKD_ADMIN_TOKEN: TOKEN,
  HOOKD_TIMEOUT: '10s',
  HOOKD_LEASE: '30s',
  HOOKD_POLL_INTERVAL: '1s',
  HOOKD_RETRY_SCHEDULE: '0,5s,5m,30m,2h,5h,10h,10h',
  HOOKD_RETRY_JITTER: '0.2',
};
/** Requests in flight when the figures publish: hookd's per-endpoint cap, so publishing is no narrower than delivering. */
export const PUBLISH_CONCURRENCY = 32;
const READY_TIMEOUT_MS = 90_000;

export type Backend = 'SQLite' | 'PostgreSQL';

export interface Database {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh SQLite file or PostgreSQL database. With `BENCH_POSTGRES_DELAY_MS`, hookd reaches PostgreSQL through a proxy
 * that holds every chunk that long each way (`servers/delay-proxy.ts`): a database across a network, not on loopback.
 */
export async function createDatabase(backend: Backend): Promise<Database> {
  if (backend === 'PostgreSQL') {
    const database = await createTestDatabase();
    const delayMs = process.env.BENCH_POSTGRES_DELAY_MS;
    return delayMs ? behindDelay(database, delayMs) : database;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
  return { url: `sqlite:${join(dir, 'hookd.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function behindDelay(database: Database, delayMs: string): Promise<Database> {
  const url = new URL(database.url);
  const proxy = spawn(process.execPath, [...process.execArgv, DELAY_PROXY], {
    env: { ...process.env, BENCH_TARGET: `${url.hostname}:${url.port || 5432}`, BENCH_DELAY_MS: delayMs },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(proxy.stdout as Readable, 'data')) as [Buffer];
  url.port = line.toString().trim();
  console.error(`  PostgreSQL behind a proxy holding each chunk ${delayMs} ms each way`);
  return {
    url: url.toString(),
    async drop() {
      await killHard(proxy);
      await database.drop();
    },
  };
}

/** The resident memory of a process, from /proc (Linux), in MiB. */
export function residentMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`bench: no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** hookd processes sharing one database: an API process, and worker processes started on demand. */
export class Deployment {
  private readonly children: { role: string; child: ChildProcess }[] = [];
  private pool: ReturnType<typeof poolTo> | null = null;
  api = '';

  /** With `profileDir`, each process writes a CPU profile into `<profileDir>/<role>/` when it stops. */
  constructor(
    readonly databaseUrl: string,
    private readonly settings: Record<string, string> = {},
    private readonly profileDir: string | null = null,
  ) {}

  private spawn(extra: Record<string, string> & { HOOKD_ROLE: string }): ChildProcess {
    const role = extra.HOOKD_ROLE;
    const profile = this.profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(this.profileDir, role)}`];
    const child = spawnHookd({ ...SETTINGS, ...this.settings, HOOKD_DATABASE_URL: this.databaseUrl, ...extra }, profile);
    this.children.push({ role, child });
    return child;
  }

  /** `api` takes requests only; `both` also delivers (SQLite's one process). */
  async startApi(role: 'api' | 'both'): Promise<ChildProcess> {
    const port = await freePort();
    const child = this.spawn({ HOOKD_ROLE: role, HOOKD_PORT: String(port) });
    this.api = `http://127.0.0.1:${port}`;
    // Generous: a start on a busy machine (other benches, other checkouts) can take longer than a test's 20 s.
    await waitReady(this.api, '/readyz', READY_TIMEOUT_MS);
    await this.connect();
    return child;
  }

  /** Opens the publishing connections to `api`; startApi does it, a baseline server standing in for hookd calls it. */
  async connect(): Promise<void> {
    await this.pool?.close();
    this.pool = poolTo(this.api, PUBLISH_CONCURRENCY);
  }

  /** The running hookd processes, for reading their CPU. */
  get pids(): number[] {
    return Object.values(this.groups).flat();
  }

  /** The running hookd processes by role (`api`, `worker`, `both`), for reading each role's CPU. */
  get groups(): Record<string, number[]> {
    const groups: Record<string, number[]> = {};
    for (const { role, child } of this.children) {
      if (child.pid !== undefined && child.exitCode === null) groups[role] = [...(groups[role] ?? []), child.pid];
    }
    return groups;
  }

  async startWorkers(count: number): Promise<void> {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    for (const port of ports) this.spawn({ HOOKD_ROLE: 'worker', HOOKD_HEALTH_PORT: String(port) });
    await Promise.all(ports.map((port) => waitReady(`http://127.0.0.1:${port}`, '/readyz', READY_TIMEOUT_MS)));
  }

  async call(method: string, path: string, body: unknown): Promise<{ id: string }> {
    const response = await fetch(this.api + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`bench: ${method} ${path} answered ${response.status}`);
    return (await response.json()) as { id: string };
  }

  /** The app `bench` with one endpoint per URL, subscribed to everything. */
  async createApp(urls: readonly string[]): Promise<void> {
    await this.call('POST', '/v1/apps', { uid: 'bench', name: 'Bench' });
    for (const url of urls) await this.call('POST', '/v1/apps/bench/endpoints', { url });
  }

  /**
   * The start of a seeded backlog (seedBacklog): the app `bench` with one message published before its endpoints exist
   * (a message to copy, with no delivery of its own), then an endpoint per URL; the API process is stopped after.
   */
  async prepareBacklog(urls: readonly string[], body: string): Promise<void> {
    await this.startApi('api');
    await this.call('POST', '/v1/apps', { uid: 'bench', name: 'Bench' });
    await this.publish(body);
    for (const url of urls) await this.call('POST', '/v1/apps/bench/endpoints', { url });
    await this.stop();
  }

  /** Publishes one event (`body` is the delivered envelope); resolves with its message id once hookd answered 202. */
  async publish(body: string): Promise<string> {
    if (!this.pool) throw new Error('bench: no API process');
    const envelope = JSON.parse(body) as { type: string; data: unknown };
    const answer = await this.pool.post(
      '/v1/apps/bench/events',
      { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      JSON.stringify({ type: envelope.type, data: envelope.data }),
    );
    if (answer.status !== 202) throw new Error(`bench: publish answered ${answer.status}: ${answer.body}`);
    return (JSON.parse(answer.body) as { id: string }).id;
  }

  /** Publishes every body, PUBLISH_CONCURRENCY in flight; the message ids. */
  async publishAll(bodies: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    await closedLoop(PUBLISH_CONCURRENCY, bodies.length, async (n) => {
      ids.push(await this.publish(bodies[n] as string));
    });
    return ids;
  }

  /** Kills every process; a profiled one is stopped with SIGTERM instead, so it writes its profile first. */
  async stop(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
    const stopping = this.children.splice(0).map(({ child }) => (this.profileDir === null ? killHard(child) : stopSoftly(child)));
    await Promise.all(stopping);
  }
}

/** SIGTERM, and SIGKILL if the process has not exited 10 s later. */
async function stopSoftly(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** How the deliveries run: SQLite's one `both` process, or an API process beside `workers` worker processes. */
export type Topology = { backend: 'SQLite' } | { backend: 'PostgreSQL'; workers: number };

/**
 * The drain: every body published while no worker runs, then the workers start and deliver the backlog to every
 * receiver; resolves once the receivers at `await` (indexes; all by default) have each message, and leaves the
 * deployment running. The rate is the caller's to take from the arrivals.
 */
export async function drain(
  deployment: Deployment,
  topology: Topology,
  receivers: Receivers,
  bodies: readonly string[],
  awaited: readonly number[] = receivers.urls.map((_, i) => i),
): Promise<void> {
  await deployment.startApi('api');
  await deployment.createApp(receivers.urls);
  const ids = await deployment.publishAll(bodies);
  receivers.clear();
  if (topology.backend === 'SQLite') {
    // One process does everything on SQLite, so the API process gives way to a `both` one.
    await deployment.stop();
    await deployment.startApi('both');
  } else {
    await deployment.startWorkers(topology.workers);
  }
  const maps = awaited.map((i) => receivers.arrivals[i] as Map<string, number>);
  await waitFor(() => maps.every((map) => map.size >= ids.length), 180_000, 'the backlog to drain');
}

/**
 * `messages` copies of the one message in a stopped hookd's SQLite file, each with a delivery to every endpoint, in
 * one transaction: a million publishes over HTTP would take most of a bench run. Pending (due now), or failed after
 * one attempt (what a recovery job re-queues).
 */
export function seedBacklog(path: string, messages: number, status: 'pending' | 'failed' = 'pending'): void {
  const failed = status === 'failed';
  const db = new Sqlite(path);
  try {
    db.pragma('synchronous = OFF');
    db.transaction(() => {
      db.prepare(`
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at, forward_headers)
        SELECT printf('msg_seed%08d', i), m.app_id, m.type, m.payload, NULL, m.created_at, NULL
        FROM (SELECT * FROM messages LIMIT 1) m, n`).run(messages);
      db.prepare(`
        INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, next_attempt_at,
          last_error, created_at, updated_at)
        SELECT printf('dlv_seed%08d_%02d', m.rowid, e.rowid), m.app_id, m.id, e.id, @status, @attempts, @attempts,
          CASE WHEN @failed THEN NULL ELSE m.created_at END, CASE WHEN @failed THEN 'HTTP 503' END, m.created_at,
          m.created_at
        FROM messages m CROSS JOIN endpoints e WHERE m.id LIKE 'msg_seed%'`).run({
        status,
        attempts: failed ? 1 : 0,
        failed: failed ? 1 : 0,
      });
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Publishes at `rate` per second for `seconds`; each message's publish-to-receive time at receiver 0, in ms. */
export async function publishLatencies(
  deployment: Deployment,
  receivers: Receivers,
  bodies: readonly string[],
  rate: number,
  seconds: number,
) {
  const count = Math.max(50, Math.round(rate * seconds));
  const sent: [string, number][] = [];
  await openLoop(rate, count, async (n) => {
    const at = performance.now();
    sent.push([await deployment.publish(bodies[n % bodies.length] as string), at]);
  });
  const arrivals = receivers.arrivals[0] as Map<string, number>;
  await waitFor(() => sent.every(([id]) => arrivals.has(id)), 60_000, 'steady messages to arrive');
  return sent.map(([id, at]) => (arrivals.get(id) as number) - at);
}
