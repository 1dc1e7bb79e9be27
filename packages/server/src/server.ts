/** Composes one hookd process: store, API and delivery worker, from a Config. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApi, generateAdminToken, hashToken } from './api/index.js';
import type { Config } from './config.js';
import { DeliveryWorker, type Resolver, systemResolver } from './delivery/index.js';
import type { Random } from './domain/index.js';
import { openStore, type Store } from './store/index.js';

export interface HookdOptions {
  config: Config;
  logger?: Logger;
  /** DNS for endpoint hosts; tests inject one to play rebinding tricks. */
  resolve?: Resolver;
  clock?: () => number;
  random?: Random;
}

export interface Hookd {
  url: string;
  adminToken: string;
  /** True when the token was generated (now or on an earlier start) and kept in the data folder. */
  adminTokenGenerated: boolean;
  store: Store;
  api: FastifyInstance;
  worker: DeliveryWorker;
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
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'hookd' } });
  const clock = options.clock ?? Date.now;
  const resolve = options.resolve ?? systemResolver;
  const { token, generated } = resolveAdminToken(config);
  const store = await openStore(config.databaseUrl);
  const worker = new DeliveryWorker({
    store,
    config: config.delivery,
    allowedNetworks: config.allowedNetworks,
    logger,
    resolve,
    clock,
    random: options.random ?? Math.random,
  });
  const api = await buildApi({
    store,
    config,
    logger,
    adminTokenHash: hashToken(token),
    resolve,
    clock,
    onDeliveriesDue: () => worker.wake(),
    workerAlive: () => worker.running,
  });
  worker.start();
  const address = await api.listen({ host: config.host, port: config.port });
  return {
    url: address,
    adminToken: token,
    adminTokenGenerated: generated,
    store,
    api,
    worker,
    async close() {
      await api.close();
      await worker.stop();
      await store.close();
    },
  };
}
