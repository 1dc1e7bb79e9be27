/**
 * The shared store: PostgreSQL through a node-postgres pool. Any number of processes may use one database;
 * claims lock rows with SKIP LOCKED and wake-ups travel by LISTEN/NOTIFY.
 */
import { StoreTimeoutError } from '../errors.js';
import type { Store } from '../store.js';
import { accessQueries } from './access.js';
import { appTokenQueries } from './app-tokens.js';
import { appQueries } from './apps.js';
import { attemptFeedQueries } from './attempt-feed.js';
import { auditLogQueries } from './audit-log.js';
import { claimer } from './claim.js';
import { dashboardQueries } from './dashboard.js';
import { deliveryQueries } from './deliveries.js';
import { endpointQueries } from './endpoints.js';
import { eventTypeQueries } from './event-types.js';
import { endpointHealth } from './health.js';
import { DUE_CHANNEL, listenForDue } from './listen.js';
import { messageQueries } from './messages.js';
import { migrate, schemaVersion } from './migrations.js';
import { opsQueries } from './ops.js';
import { maintainHistory, retentionExclusive } from './partitions.js';
import { connectionConfig, createPool } from './pool.js';
import { queueStats } from './queue-stats.js';
import { attemptRecorder } from './record-attempt.js';
import { recoveryQueries } from './recoveries.js';
import { purgeBefore } from './retention.js';
import { secretQueries } from './secrets.js';
import { sourceQueries } from './sources.js';

export interface PostgresStoreOptions {
  /** Most connections the pool keeps open; a LISTEN connection comes on top while `watchDue` runs. */
  poolSize?: number;
  /**
   * Where the LISTEN connection goes (default: `url`). LISTEN holds a session, which a pooler in transaction mode
   * (pgbouncer) does not keep: the pool may go through one, this must not.
   */
  listenUrl?: string;
  /**
   * Whether the hot path's statements are prepared once per connection. Default: only when LISTEN shares the pool's
   * URL, as a direct connection does; a separate `listenUrl` means the pool goes through a pooler in transaction mode.
   */
  preparedStatements?: boolean;
}

const DEFAULT_POOL_SIZE = 10;
/** `ping` answers within this, so a readiness probe never hangs on a database that does not answer. */
const PING_TIMEOUT_MS = 2_000;

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const prepare = options.preparedStatements ?? (options.listenUrl === undefined || options.listenUrl === url);
  const pool = createPool(url, options.poolSize ?? DEFAULT_POOL_SIZE, prepare);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const listeners = new Set<() => Promise<void>>();
  let closed = false;
  const { audited, transaction, ...auditLogMethods } = auditLogQueries(pool);

  return {
    ...auditLogMethods,
    ...appQueries(pool, audited, transaction),
    ...appTokenQueries(pool, audited),
    ...accessQueries(pool, audited, transaction),
    ...endpointQueries(pool, audited, transaction),
    ...messageQueries(pool),
    ...eventTypeQueries(pool, audited),
    ...deliveryQueries(pool, transaction),
    ...sourceQueries(pool, audited, transaction),
    ...opsQueries(pool),
    ...attemptFeedQueries(pool),
    ...dashboardQueries(pool),
    ...secretQueries(pool),
    ...recoveryQueries(pool, audited, transaction),
    claimDueDeliveries: claimer(pool),
    recordAttempt: attemptRecorder(pool),
    queueStats: (now) => queueStats(pool, now),
    endpointHealth: (endpointId, now) => endpointHealth(pool, endpointId, now),
    purgeBefore: (input) => purgeBefore(pool, input),
    maintainHistory: (input) => maintainHistory(pool, input),
    retentionExclusive: (run) => retentionExclusive(connectionConfig(options.listenUrl ?? url), run),
    async migrate() {
      await migrate(pool);
    },
    schemaVersion: () => schemaVersion(pool),
    async wakeEvery() {
      await pool.query(`NOTIFY ${DUE_CHANNEL}`);
    },
    async watchDue(listener) {
      const stopListening = await listenForDue(connectionConfig(options.listenUrl ?? url), listener);
      const stop = async () => {
        listeners.delete(stop);
        await stopListening();
      };
      listeners.add(stop);
      return stop;
    },
    async ping() {
      await withTimeout(pool.query('SELECT 1'), 'ping', PING_TIMEOUT_MS);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
}

async function withTimeout<T>(work: Promise<T>, operation: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(operation, ms)), ms);
  });
  work.catch(() => {}); // settled after the deadline: nobody is waiting for it any more
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
