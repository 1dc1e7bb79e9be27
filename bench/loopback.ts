/**
 * What the end-to-end figures share on loopback: receivers that note when each webhook arrived, closed and open
 * load loops over undici, percentiles, and waiting for a condition.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/** How a receiver answers: at once, after a delay, or never (a paused receiver, the socket left open). */
export type Behaviour = { kind: 'fast' } | { kind: 'slow'; delayMs: number } | { kind: 'hang' };

/**
 * Receivers on ports of their own, so each is its own origin, as separate customers' endpoints are; or, with
 * `sameOrigin`, all on one port with a path each (`/hook-<i>`), as one SaaS receiver serving many tenants is.
 * `arrivals[i]` maps a `webhook-id` to when it first reached receiver i.
 */
export interface Receivers {
  urls: string[];
  arrivals: Map<string, number>[];
  /** Requests received, duplicates included. */
  count(): number;
  clear(): void;
  close(): Promise<void>;
}

export async function startReceivers(behaviours: readonly Behaviour[], sameOrigin = false): Promise<Receivers> {
  const arrivals = behaviours.map(() => new Map<string, number>());
  let received = 0;
  const servers: Server[] = [];
  const timers = new Set<NodeJS.Timeout>();
  for (const [n, only] of (sameOrigin ? [behaviours[0]] : behaviours).entries()) {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const i = sameOrigin ? Number(/^\/hook-(\d+)/.exec(req.url ?? '')?.[1] ?? 0) : n;
      const behaviour = (sameOrigin ? behaviours[i] : only) as Behaviour;
      const seen = arrivals[i] as Map<string, number>;
      req.resume();
      req.on('end', () => {
        received++;
        const id = req.headers['webhook-id'];
        if (typeof id === 'string' && !seen.has(id)) seen.set(id, performance.now());
        if (behaviour.kind === 'fast') res.end('ok');
        else if (behaviour.kind === 'slow') {
          const timer = setTimeout(() => {
            timers.delete(timer);
            res.end('ok');
          }, behaviour.delayMs);
          timers.add(timer);
        }
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: sameOrigin
      ? behaviours.map((_, i) => `http://127.0.0.1:${((servers[0] as Server).address() as AddressInfo).port}/hook-${i}`)
      : servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`),
    arrivals,
    count: () => received,
    clear() {
      received = 0;
      for (const map of arrivals) map.clear();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

/** Arrivals a drain's rate leaves out at its start, where the drain gives no count of its own. */
export const WARMUP_SHARE = 0.2;

/**
 * Requests, publishes or deliveries a baseline, a publishing load or a metered drain sends before it is measured: the
 * sender warming up, its code compiling through V8's tiers and its connections opening. Measured (2026-12-05): hookd's
 * SQLite drain to 1 endpoint cost 292 µs of CPU a delivery past the first fifth of 4,000 and 155 µs past the first
 * fifth of 20,000; the undici loop ran its first 4,000 requests at a third of the rate of the next; the bare publish
 * route cost 84 µs an event after 1,000 and 40 after 4,000.
 */
export const WARMUP_ARRIVALS = 4_000;

/**
 * Deliveries per second over the arrivals at `receivers` (indexes), from the one after `warmup` (the first fifth when
 * not given) up to the last: the steady rate, as the undici baseline's is measured after a warm-up of its own.
 */
export function arrivalRate(
  receivers: Receivers,
  which: readonly number[] = receivers.urls.map((_, i) => i),
  warmup?: number,
): number {
  const times = which.flatMap((i) => [...(receivers.arrivals[i] as Map<string, number>).values()]).sort((a, b) => a - b);
  const from = warmup ?? Math.floor(times.length * WARMUP_SHARE);
  const first = times[from] as number;
  const last = times[times.length - 1] as number;
  return (times.length - 1 - from) / ((last - first) / 1000);
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** One request of a load loop; `n` counts from 0, `due` is when an open loop meant to send it. Rejects on an answer the loop must not count. */
export type Send = (n: number, due: number) => Promise<unknown>;

/** `concurrency` requests in flight, each started when one ends, until `count` are done; answers per second. */
export async function closedLoop(concurrency: number, count: number, send: Send): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++, performance.now());
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * Open loop: request n is sent at its due time `n / ratePerS` whatever is still in flight, so a slow answer cannot
 * delay the next send and hide itself. Resolves with each request's due time, in order.
 */
export async function openLoop(ratePerS: number, count: number, send: Send): Promise<number[]> {
  const due: number[] = [];
  const inFlight: Promise<unknown>[] = [];
  const started = performance.now();
  while (due.length < count) {
    const now = performance.now();
    while (due.length < count && started + (due.length * 1000) / ratePerS <= now) {
      const at = started + (due.length * 1000) / ratePerS;
      due.push(at);
      inFlight.push(send(due.length - 1, at));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  return due;
}

/** A pool to one origin with the given connections; `post` answers the status after reading the body. */
export function poolTo(url: string, connections: number) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections });
  return {
    async post(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
      const response = await pool.request({ path, method: 'POST', headers, body });
      return { status: response.statusCode, body: await response.body.text() };
    },
    close: () => pool.close(),
  };
}

/**
 * The end-to-end baseline: the same bodies POSTed by undici to the same receivers (round robin) with `concurrency`
 * requests in flight, nothing stored or signed; deliveries per second.
 */
export async function rawHttpRate(receivers: Receivers, bodies: readonly string[], concurrency: number): Promise<number> {
  const pools = receivers.urls.map((url) => poolTo(url, Math.ceil(concurrency / receivers.urls.length)));
  const path = new URL(receivers.urls[0] as string).pathname;
  const post = async (n: number) => {
    const answer = await (pools[n % pools.length] as ReturnType<typeof poolTo>).post(
      path,
      { 'content-type': 'application/json', 'webhook-id': `raw_${n}` },
      bodies[n % bodies.length] as string,
    );
    if (answer.status !== 200) throw new Error(`bench: receiver answered ${answer.status}`);
  };
  try {
    // Warm-up, not counted: the baseline is measured at its best, with its code compiled and its connections open.
    await closedLoop(concurrency, WARMUP_ARRIVALS, post);
    return await closedLoop(concurrency, bodies.length, post);
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
