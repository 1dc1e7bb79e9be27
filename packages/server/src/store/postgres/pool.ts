/** The connection pool every PostgreSQL query goes through, and the one way to run a transaction on it. */
import pg from 'pg';

/** A pool, or one of its clients inside a transaction: what the query files take. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string | Prepared, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A statement of the hot path, parsed and planned once per connection instead of at every call (see createPool). */
export interface Prepared {
  name: string;
  text: string;
}

/**
 * Names a statement run through the pool on every claim, record or publish: PostgreSQL then keeps it parsed on each
 * connection and, after a few runs, keeps its plan too (planning the claim cost more than running it, 1.5 against
 * 0.5 ms). Only for statements run outside transactions: a migration that changes a table's columns makes a kept
 * `SELECT *` fail once on each connection, which the pool then drops.
 */
export function prepared(name: string, text: string): Prepared {
  return { name: `hookd_${name}`, text };
}

/** Waiting longer than this for a connection (new, or free in a busy pool) fails the call as unavailable. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Times and counts are bigint columns; every value hookd keeps there fits a JavaScript number exactly. */
const BIGINT_AS_NUMBER = new pg.TypeOverrides();
BIGINT_AS_NUMBER.setTypeParser(pg.types.builtins.INT8, Number);

/** Settings shared by the pool and the LISTEN connection, so both reach the same database the same way. */
export function connectionConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types: BIGINT_AS_NUMBER,
    application_name: 'hookd',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Notices a peer that vanished without closing (a host lost, a network cut) instead of waiting on it forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * `prepare` false: every statement goes unnamed, as a pooler in transaction mode (pgbouncer) needs, since it may run
 * a statement on another server connection than the one that prepared it.
 */
export function createPool(url: string, poolSize: number, prepare = true): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url), max: poolSize });
  // An idle connection that fails (the server restarted) is dropped by the pool; without a listener the
  // 'error' event would crash the process. The next query opens a fresh connection or fails on its own.
  pool.on('error', () => {});
  if (!prepare) pool.on('connect', unnamed);
  return pool;
}

/** Makes a client send named statements as unnamed ones: parsed and planned at every run, on whatever connection. */
function unnamed(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, ...rest: unknown[]) => unknown;
  client.query = ((config: unknown, ...rest: unknown[]) => {
    const named = typeof config === 'object' && config !== null && 'name' in config;
    return query(named ? { ...config, name: undefined } : config, ...rest);
  }) as typeof client.query;
}

/** Runs `work` between BEGIN and COMMIT on one pooled connection, rolling back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors only on idle clients; a connection lost between two of our queries would
  // otherwise raise an unhandled 'error'. The next query rejects with it anyway.
  const ignore = () => {};
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}

const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_RUNS = 3;

/**
 * Runs `work` again when PostgreSQL failed it to break a lock cycle: the other side has gone on, so the next run waits
 * for it instead. For deletions, whose cascade takes endpoints' rows and then their deliveries', while an attempt's
 * record holds a delivery's row and then wants its endpoint's.
 */
export async function retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || run >= DEADLOCK_RUNS) throw error;
    }
  }
}
