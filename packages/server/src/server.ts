/** Composes one hookd process: store, API and delivery worker, from a Config. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { AuthLimiter, buildApi, buildHealthApi, generateAdminToken, hashToken } from './api/index.js';
import type { Config } from './config.js';
import { DeliveryWorker, type Resolver, systemResolver } from './delivery/index.js';
import type { Random } from './domain/index.js';
import { createMetrics, OpsEvents, OpsMonitor, RetentionLoop } from './ops/index.js';
import { openStore, type Store } from './store/index.js';
import { registerUi } from './ui/index.js';

export interface HookdOptions {
  config: Config;
  logger?: Logger;
  /** DNS for endpoint hosts; tests inject one to play rebinding tricks. */
  resolve?: Resolver;
  clock?: () => number;
  random?: Random;
  /** How often open streams re-check their credential; default 2 s. Tests shorten it. */
  accessRecheckMs?: number;
  /** Wrong tokens one address may send per minute before 429; default 20. */
  maxAuthFailures?: number;
}

export interface Hookd {
  /** Where this process listens: the API, or a worker's health port; null for a worker without one. */
  url: string | null;
  /** Null in a `worker` process, which serves no API. */
  adminToken: string | null;
  /** True when the token was generated (now or on an earlier start) and kept in the data folder. */
  adminTokenGenerated: boolean;
  store: Store;
  /** Null in a `worker` process. */
  api: FastifyInstance | null;
  /** Null in an `api` process. */
  worker: DeliveryWorker | null;
  /** The purge of old attempts and payloads; runs beside the worker, so null in an `api` process. */
  retention: RetentionLoop | null;
  /** The checks behind `endpoint.failing` and `ingest.silent`; runs beside the worker, so null in an `api` process. */
  opsMonitor: OpsMonitor | null;
  close(): Promise<void>;
}

/** The admin token from config, or the one kept in the data folder, generated on first start. */
export function resolveAdminToken(config: Config): { token: string; generated: boolean } {
  if (config.adminToken) return { token: config.adminToken, generated: false };
  const file = join(config.dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generated: true };
  mkdirSync(config.dataDir, { recursive: true });
  const token = generateAdminToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, generated: true };
}

export async function startHookd(options: HookdOptions): Promise<Hookd> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'hookd', role: config.role } });
  const clock = options.clock ?? Date.now;
  const resolve = options.resolve ?? systemResolver;
  const { token, generated } = config.role === 'worker' ? { token: null, generated: false } : resolveAdminToken(config);
  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  const metrics = createMetrics(store, clock);

  // Ops events go out from worker processes. Every process makes sure the hookd-ops app they are published into
  // exists, so an operator can subscribe to it as soon as any process is up.
  const ops = new OpsEvents({
    store,
    clock,
    logger,
    idempotencyWindowMs: config.idempotencyWindowMs,
    metrics,
    onDeliveriesDue: () => worker?.wake(),
  });
  const worker =
    config.role === 'api'
      ? null
      : new DeliveryWorker({
          store,
          config: config.delivery,
          allowedNetworks: config.allowedNetworks,
          logger,
          resolve,
          clock,
          random: options.random ?? Math.random,
          metrics,
          ops,
        });
  const retention =
    config.role === 'api'
      ? null
      : new RetentionLoop({
          store,
          maxAgeMs: config.retention.maxAgeMs,
          intervalMs: config.retention.intervalMs,
          logger,
          clock,
        });
  const opsMonitor =
    config.role === 'api'
      ? null
      : new OpsMonitor({
          store,
          ops,
          failing: { window: config.ops.failingWindow, threshold: config.ops.failingThreshold },
          silentAfterMs: config.ops.silentAfterMs,
          intervalMs: config.ops.intervalMs,
          lookbackMs: config.delivery.leaseMs,
          logger,
          clock,
        });
  const workerAlive = worker ? () => worker.running : undefined;
  let server: FastifyInstance | null = null;
  if (token !== null) {
    const apiContext = {
      store,
      config,
      logger,
      adminTokenHash: hashToken(token),
      resolve,
      clock,
      onDeliveriesDue: () => worker?.wake(),
      workerAlive,
      metrics,
      authLimiter: new AuthLimiter({ maxFailures: options.maxAuthFailures }),
      accessRecheckMs: options.accessRecheckMs ?? 2_000,
    };
    server = await buildApi(apiContext);
    await registerUi(server, apiContext);
  } else if (config.healthPort !== null) {
    server = buildHealthApi({ store, logger, workerAlive, metrics });
  }
  // Publishes made by other processes (API processes, other hosts) wake this worker at once.
  const stopWatching = worker ? await store.watchDue(() => worker.wake()) : null;
  await ops.opsApp();
  worker?.start();
  retention?.start();
  opsMonitor?.start();
  const port = config.role === 'worker' ? config.healthPort : config.port;
  const url = server ? await server.listen({ host: config.host, port: port ?? 0 }) : null;
  return {
    url,
    adminToken: token,
    adminTokenGenerated: generated,
    store,
    api: config.role === 'worker' ? null : server,
    worker,
    retention,
    opsMonitor,
    async close() {
      await server?.close();
      await stopWatching?.();
      await opsMonitor?.stop();
      await retention?.stop();
      await worker?.stop();
      await store.close();
    },
  };
}
