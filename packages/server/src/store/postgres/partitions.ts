/**
 * History partitioned by day (migration 20): messages and attempts are range-partitioned on their ids, which begin
 * with their creation time (domain/ids.ts), so a day is a range of ids and a lookup by id reads one partition.
 * Retention makes the coming days' partitions and drops those wholly past the horizon, instead of deleting their rows
 * one by one. Deliveries, the queue, stay one table (a partition per day made each claim plan over all of them): a
 * delivery's id carries its message's time, so a day's deliveries are a range of ids, deleted before its messages go.
 */
import pg from 'pg';
import { type IdPrefix, idAt } from '../../domain/index.js';
import type { HistoryMaintenance, HistoryMaintenanceInput } from '../ops-store.js';
import type { Queryable } from './pool.js';

const DAY_MS = 86_400_000;

/** The partitioned tables and the prefix of their ids. */
const TABLES: readonly { table: string; prefix: IdPrefix }[] = [
  { table: 'messages', prefix: 'msg' },
  { table: 'attempts', prefix: 'atm' },
];

/** The partition of `table` for the day starting at `day`: messages_d20261204. */
export function partitionName(table: string, day: number): string {
  return `${table}_d${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const startOfDay = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;

interface Partition {
  table: string;
  name: string;
  /** Where its range begins, as a time; null from the lowest value (the legacy partition) and for the default one. */
  start: number | null;
  /** Where its range ends (exclusive), as a time; null for the default partition. */
  end: number | null;
}

// A partition's bounds as PostgreSQL prints them: FOR VALUES FROM (MINVALUE) TO ('msg_01J…'), or DEFAULT.
const PARTITIONS = `
  SELECT p.relname AS table, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
  WHERE p.relnamespace = current_schema()::regnamespace AND p.relname = ANY($1::text[])`;
const PARTITIONED_FROM = 'SELECT partitioned_from AS value FROM history_partitioning';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The time an id-range bound stands for: the 10 characters after the prefix, in Crockford base32. */
function timeOfBound(bound: string | undefined): number | null {
  if (bound === undefined) return null;
  let time = 0;
  for (const char of bound.slice(4, 14)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}

async function partitions(db: Queryable): Promise<Partition[]> {
  const { rows } = await db.query<{ table: string; name: string; bound: string }>(PARTITIONS, [TABLES.map((t) => t.table)]);
  return rows.map((row) => ({
    table: row.table,
    name: row.name,
    start: timeOfBound(/FROM \('([^']+)'\)/.exec(row.bound)?.[1]),
    end: timeOfBound(/TO \('([^']+)'\)/.exec(row.bound)?.[1]),
  }));
}

/**
 * Makes the day partition of `table` for [day, day + 1 day). Rows of that day already in the default partition
 * (written before it was made) move into it first, since PostgreSQL refuses a partition whose rows the default holds.
 */
async function makeDay(db: Queryable, table: string, prefix: IdPrefix, day: number): Promise<void> {
  const name = partitionName(table, day);
  const from = idAt(prefix, day);
  const to = idAt(prefix, day + DAY_MS);
  await db.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await db.query(
    `WITH moved AS (DELETE FROM ${table}_default WHERE id >= $1 AND id < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`,
    [from, to],
  );
  await db.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
}

async function inTransactionOn<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Deliveries one statement deletes while a day is cleared: short transactions, beside the claims. */
const DELIVERY_BATCH = 5_000;
const PENDING_IN = `SELECT 1 FROM deliveries WHERE id >= $1 AND id < $2 AND status = 'pending' LIMIT 1`;
const DELETE_FINISHED_IN = `
  DELETE FROM deliveries WHERE id IN (
    SELECT id FROM deliveries WHERE id >= $1 AND id < $2 AND status <> 'pending' LIMIT $3 FOR UPDATE SKIP LOCKED)`;
// RETURNING the status each row had when deleted: one made pending again meanwhile (a retry) is seen, and kept.
const DELETE_REST_IN = `
  WITH gone AS (DELETE FROM deliveries WHERE id >= $1 AND id < $2 RETURNING status)
  SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM gone`;

/**
 * Drops a messages partition wholly past the cutoff, with its deliveries, unless one of them is pending (then false:
 * the day is kept until it has been sent).
 */
async function dropMessagesDay(client: pg.PoolClient, partition: Partition): Promise<boolean> {
  const from = partition.start === null ? '' : idAt('dlv', partition.start);
  const to = idAt('dlv', partition.end as number);
  if ((await client.query(PENDING_IN, [from, to])).rowCount) return false;
  for (;;) {
    const { rowCount } = await client.query(DELETE_FINISHED_IN, [from, to, DELIVERY_BATCH]);
    if ((rowCount ?? 0) < DELIVERY_BATCH) break;
  }
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ pending: number }>(DELETE_REST_IN, [from, to]);
    const pending = (rows[0]?.pending ?? 0) > 0;
    if (!pending) await client.query(`DROP TABLE ${partition.name}`);
    await client.query(pending ? 'ROLLBACK' : 'COMMIT');
    return !pending;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * Makes the partitions of today and the `daysAhead` days after it that are missing, then drops the partitions that
 * end at or before `cutoff`: attempts always, a day's messages (with its deliveries) only once none of its deliveries
 * is pending (kept until then: they still have to be sent). Whatever is kept, and the day straddling the cutoff, is
 * left to the row-wise purge.
 */
export async function maintainHistory(pool: pg.Pool, input: HistoryMaintenanceInput): Promise<HistoryMaintenance> {
  const client = await pool.connect();
  const result: HistoryMaintenance = { made: [], dropped: [], kept: [] };
  try {
    // Dropping or attaching a partition locks the whole table for a moment: never queue behind a long query with
    // every publish and claim waiting behind us; the next pass tries again. Attaching also locks what the partition's
    // foreign keys point at, in an order a user's transaction can cross (deleting an endpoint locks endpoints, then
    // attempts): the bound is below PostgreSQL's deadlock_timeout, so in such a cycle this gives way, not the user.
    await client.query(`SET lock_timeout = ${LOCK_TIMEOUT_MS}`);
    const { rows } = await client.query<{ value: string }>(PARTITIONED_FROM);
    const first = Number(rows[0]?.value ?? 0);
    const existing = new Set((await partitions(client)).map((p) => p.name));
    const today = startOfDay(input.now);
    for (let day = Math.max(first, today); day <= today + input.daysAhead * DAY_MS; day += DAY_MS) {
      for (const { table, prefix } of TABLES) {
        if (existing.has(partitionName(table, day))) continue;
        await inTransactionOn(client, () => makeDay(client, table, prefix, day));
        result.made.push(partitionName(table, day));
      }
    }
    const old = (await partitions(client)).filter((p) => p.end !== null && p.end <= input.cutoff);
    for (const partition of old) {
      if (partition.table === 'attempts') await client.query(`DROP TABLE ${partition.name}`);
      else if (!(await dropMessagesDay(client, partition))) {
        result.kept.push(partition.name);
        continue;
      }
      result.dropped.push(partition.name);
    }
    return result;
  } finally {
    await client.query('RESET lock_timeout').catch(() => {});
    client.release();
  }
}

/** Under deadlock_timeout (1 s by default), so a lock cycle ends this pass before the deadlock check picks a victim. */
const LOCK_TIMEOUT_MS = 200;

// Any fixed number works, as long as nothing else in the database takes the same advisory lock.
const RETENTION_LOCK_KEY = '7203516249813';

/**
 * Runs `run` unless another process is running retention now (then null): a session advisory lock, taken on a
 * connection of its own to `url` (the direct one, as for LISTEN: a pooler in transaction mode keeps no session), held
 * for the whole pass and freed when it ends, or when the connection drops with the process.
 */
export async function retentionExclusive<T>(config: pg.ClientConfig, run: () => Promise<T>): Promise<T | null> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK_KEY]);
    if (!rows[0]?.locked) return null;
    try {
      return await run();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
