/** What every route needs, handed in once when the API is built. */
import type { Logger } from 'pino';
import { getApp } from '../actions/index.js';
import type { Config } from '../config.js';
import type { Resolver } from '../delivery/index.js';
import type { App, Timers } from '../domain/index.js';
import type { Metrics, Tracing } from '../ops/index.js';
import type { AdminStore, OpsStore, RecoveryStore } from '../store/index.js';
import type { AuthLimiter } from './auth-limiter.js';

export interface ApiContext {
  /** The routes and their actions use the admin role; /readyz also asks whether the store answers. */
  store: AdminStore & RecoveryStore & Pick<OpsStore, 'ping' | 'schemaVersion'>;
  config: Config;
  logger: Logger;
  /** SHA-256 of the admin token. */
  adminTokenHash: Buffer;
  resolve: Resolver;
  clock: () => number;
  /** The timers that go with `clock`, for streams: polls, heartbeats, credential re-checks. */
  timers: Timers;
  /** Called when deliveries became due, so a worker in this process starts at once. */
  onDeliveriesDue: () => void;
  /** Called when a recovery job was started, so a recovery loop in this process takes it at once. */
  onRecoveryStarted: () => void;
  /** Whether the worker loop is alive, for /readyz; absent when this process runs no worker. */
  workerAlive?: () => boolean;
  metrics: Metrics;
  /** Counts wrong tokens, sign-ins and portal links per client address; shared by the API and the dashboard. */
  authLimiter: AuthLimiter;
  /** How often an open stream re-checks the credential it was opened with. */
  accessRecheckMs: number;
  /** Spans of publishes and ingests; absent: none. */
  tracing?: Tracing;
}

/** The app named in a path, by id or uid (`app_not_found`). */
export const loadApp = (ctx: Pick<ApiContext, 'store'>, idOrUid: string): Promise<App> => getApp(ctx, idOrUid);

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
