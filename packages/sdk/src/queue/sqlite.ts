/**
 * The durable receiver queue on SQLite (better-sqlite3, WAL). Several processes may share one file:
 * claims are leases, so a job whose process died is taken again once its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { applyConcurrencyPragmas, openSqliteFile, type SqliteDatabase } from '../sqlite-driver.js';
import { type BackoffFunction, type BackoffOptions, toBackoffFunction } from './backoff.js';
import { QueueError } from './errors.js';
import type { JobStorage } from './job-storage.js';
import { sqliteJobStorage } from './sqlite/jobs.js';
import { createQueueSchema } from './sqlite/schema.js';
import type { WebhookQueue } from './types.js';
import { describeError, SYSTEM_TIMERS, startWorkerLoop, type Timers, type WorkerLoop } from './worker-loop.js';

export interface SqliteQueueCommonOptions {
  /** Tries before a webhook is dead-lettered. Default 8. */
  maxAttempts?: number;
  /** Delay before each retry: options for the default exponential schedule, or a function of the failed attempt. */
  backoff?: BackoffOptions | BackoffFunction;
  /** Longest wait between looks for due jobs (other processes' enqueues are seen this way). Default 1 s. */
  pollIntervalMs?: number;
  /** Handlers running at once in this process. Default 1. */
  concurrency?: number;
  /** How long a claimed job stays this process's; renewed while its handler runs. Default 30 s. */
  leaseMs?: number;
  /** How long to wait for another process's write lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
  /** Unix milliseconds; injected in tests. */
  clock?: () => number;
  /** The timers that go with `clock` (the loop's sleep, lease renewals); injected in tests with it. Default the global ones. */
  timers?: Timers;
  /** [0, 1) like Math.random; drives the jitter. */
  random?: () => number;
  /** Errors of the queue itself, not of the handler (those are retried). Default: a process warning. */
  onError?: (error: unknown) => void;
}

/** Either a file path (better-sqlite3 is loaded then) or an open better-sqlite3 Database, which `close()` leaves open. */
export type SqliteQueueOptions = SqliteQueueCommonOptions & ({ path: string; db?: never } | { db: SqliteDatabase; path?: never });

export const QUEUE_DEFAULTS = {
  maxAttempts: 8,
  pollIntervalMs: 1_000,
  concurrency: 1,
  leaseMs: 30_000,
  busyTimeoutMs: 5_000,
  deadLetterListLimit: 100,
} as const;

/** What `whenQueueIdle` waits on, by queue: kept out of the WebhookQueue interface, which users may implement. */
const idleWaits = new WeakMap<WebhookQueue, () => Promise<void>>();

/**
 * For tests: resolves once the queue's loop has looked for due jobs after this call, found none with no handler
 * running, and gone to sleep; at once when the queue is not started. The way to check that something is not handled,
 * and the moment to move an injected clock, without sleeping. Not exported from the package.
 */
export function whenQueueIdle(queue: WebhookQueue): Promise<void> {
  return idleWaits.get(queue)?.() ?? Promise.resolve();
}

/**
 * Returns at once; the database opens in the background (loading better-sqlite3 when given a path),
 * and every call waits for it, so an open failure rejects `enqueue` and the other calls.
 */
export function createSqliteQueue(options: SqliteQueueOptions): WebhookQueue {
  const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? QUEUE_DEFAULTS.maxAttempts);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? QUEUE_DEFAULTS.concurrency);
  const pollIntervalMs = positiveNumber('pollIntervalMs', options.pollIntervalMs ?? QUEUE_DEFAULTS.pollIntervalMs);
  const leaseMs = positiveNumber('leaseMs', options.leaseMs ?? QUEUE_DEFAULTS.leaseMs);
  const clock = options.clock ?? Date.now;
  const timers = options.timers ?? SYSTEM_TIMERS;
  const random = options.random ?? Math.random;
  const backoff = toBackoffFunction(options.backoff, random);
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(`hookd queue: ${describeError(error)}`));

  const ownsDatabase = options.db === undefined;
  const opened = open(options);
  opened.catch(() => {}); // reported by whichever call awaits it; never an unhandled rejection
  let worker: Promise<WorkerLoop | null> | null = null;
  let currentWorker: WorkerLoop | null = null;
  let closed = false;

  async function storage(): Promise<JobStorage> {
    if (closed) throw new QueueError('queue_closed', 'the queue is closed');
    return (await opened).storage;
  }

  async function stop(): Promise<void> {
    const starting = worker;
    worker = null;
    const loop = await starting;
    await loop?.stop();
    if (currentWorker === loop) currentWorker = null;
  }

  const queue: WebhookQueue = {
    async enqueue(webhook) {
      const jobs = await storage();
      await jobs.addJob(`job_${randomUUID()}`, webhook, clock());
      currentWorker?.wake();
    },

    start(handler) {
      if (closed) throw new QueueError('queue_closed', 'the queue is closed');
      if (worker !== null) throw new QueueError('queue_already_started', 'the queue is already started; stop() it first');
      worker = opened.then(
        ({ storage }) => {
          currentWorker = startWorkerLoop(storage, handler, {
            concurrency,
            leaseMs,
            pollIntervalMs,
            maxAttempts,
            backoff,
            clock,
            timers,
            onError,
          });
          return currentWorker;
        },
        (error: unknown) => {
          onError(error);
          return null;
        },
      );
    },

    stop,

    async listDeadLetters(listOptions = {}) {
      const limit = positiveInteger('limit', listOptions.limit ?? QUEUE_DEFAULTS.deadLetterListLimit);
      return (await storage()).listDeadLetters(limit);
    },

    async replayDeadLetters(jobIds) {
      const replayed = await (await storage()).replayDeadLetters(jobIds, clock());
      if (replayed > 0) currentWorker?.wake();
      return replayed;
    },

    async close() {
      if (closed) return;
      await stop();
      closed = true;
      const database = await opened.then(
        (value) => value.db,
        () => null,
      );
      if (ownsDatabase) database?.close();
    },
  };
  idleWaits.set(queue, async () => (await worker)?.whenIdle());
  return queue;

  async function open(source: SqliteQueueOptions): Promise<{ db: SqliteDatabase; storage: JobStorage }> {
    const db = source.db ?? (await openSqliteFile(source.path as string));
    try {
      applyConcurrencyPragmas(db, options.busyTimeoutMs ?? QUEUE_DEFAULTS.busyTimeoutMs);
      // A webhook acknowledged to its sender must survive a power cut too, not only a crash of this process.
      db.exec('PRAGMA synchronous = FULL');
      createQueueSchema(db);
      return { db, storage: sqliteJobStorage(db) };
    } catch (error) {
      if (source.db === undefined) db.close();
      throw error;
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new QueueError('queue_option_invalid', `${name} must be a positive integer, got ${value}`);
  return value;
}

function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new QueueError('queue_option_invalid', `${name} must be a positive number, got ${value}`);
  return value;
}
