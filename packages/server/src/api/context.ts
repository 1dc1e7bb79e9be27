/** What every route needs, handed in once when the API is built. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Resolver } from '../delivery/index.js';
import type { App } from '../domain/index.js';
import type { Metrics } from '../ops/index.js';
import type { Store } from '../store/index.js';
import type { AuthLimiter } from './auth-limiter.js';
import { ApiError } from './errors.js';

export interface ApiContext {
  store: Store;
  config: Config;
  logger: Logger;
  /** SHA-256 of the admin token. */
  adminTokenHash: Buffer;
  resolve: Resolver;
  clock: () => number;
  /** Called when deliveries became due, so a worker in this process starts at once. */
  onDeliveriesDue: () => void;
  /** Whether the worker loop is alive, for /readyz; absent when this process runs no worker. */
  workerAlive?: () => boolean;
  metrics: Metrics;
  /** Counts wrong tokens, sign-ins and portal links per client address; shared by the API and the dashboard. */
  authLimiter: AuthLimiter;
  /** How often an open stream re-checks the credential it was opened with. */
  accessRecheckMs: number;
}

export async function loadApp(ctx: ApiContext, idOrUid: string): Promise<App> {
  const app = await ctx.store.findApp(idOrUid);
  if (!app) throw new ApiError('app_not_found', `no app has the id or uid ${JSON.stringify(idOrUid)}`);
  return app;
}

const appParam = { type: 'string', maxLength: 256, description: 'The app id, or its uid.' } as const;

export const appParams = { type: 'object', properties: { app: appParam }, required: ['app'] } as const;

/** Path params of a record inside an app: `/v1/apps/:app/<records>/:<name>`. */
export function appRecordParams<N extends string>(name: N) {
  return {
    type: 'object',
    properties: { app: appParam, [name]: { type: 'string', maxLength: 64 } } as Record<'app' | N, { type: 'string' }>,
    required: ['app', name],
  } as const;
}
