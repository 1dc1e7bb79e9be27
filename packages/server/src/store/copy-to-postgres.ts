/**
 * Moves a stopped hookd from its SQLite file to an empty PostgreSQL database: every table, row for row, in one
 * PostgreSQL transaction, so the target ends up with all of it or none. Secrets are copied sealed as they are: the
 * PostgreSQL hookd opens them with the same master key. Pending deliveries keep their schedule; a lease the stopped
 * process held is cleared, so the delivery is due at once. Each table's count and checksum are compared, read back
 * inside the transaction, before it commits.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { verifyCheck } from './at-rest.js';
import { CopyRefusedError } from './errors.js';
import { migrate as migratePostgres } from './postgres/migrations.js';
import { createPool, inTransaction } from './postgres/pool.js';
import type { SecretBox } from './secret-box.js';
import { schemaVersion as sqliteSchemaVersion } from './sqlite/migrations.js';
import { servedBy } from './sqlite/served.js';

/** Every table of the schema, in an order its foreign keys allow. A table missing here stops the copy. */
const TABLES = [
  'settings',
  'apps',
  'app_tokens',
  'endpoints',
  'endpoint_credentials',
  'event_types',
  'sources',
  'source_refusals',
  'messages',
  'idempotency_keys',
  'deliveries',
  'attempts',
  'ui_sessions',
  'audit_log',
  'recovery_jobs',
  'recovery_deliveries',
] as const;

/**
 * Columns PostgreSQL has and SQLite does not, filled in by PostgreSQL: FIFO order, from insertion order; the version of
 * an app's endpoints that publishes check, from its trigger; a lease's end and whether a limited endpoint counts it,
 * empty in a copy, which holds no lease.
 */
const POSTGRES_ONLY = new Set(['deliveries.seq', 'apps.endpoints_version', 'deliveries.lease_until', 'deliveries.lease_limited']);

export interface TableCopied {
  table: string;
  rows: number;
  /** The same on both sides, or the copy fails: a sum of each row's SHA-256, so row order does not matter. */
  checksum: string;
}

export interface CopyProgress {
  table: string;
  done: number;
  total: number;
}

export interface CopyOptions {
  /** Opens the source's sealed secrets: the copy is refused when it does not, since the target would not open them. */
  box: SecretBox | null;
  batchSize?: number;
  now?: number;
  onProgress?: (progress: CopyProgress) => void;
}

interface Column {
  name: string;
  /** PostgreSQL's data_type: values are turned from SQLite's form into it. */
  type: string;
}

type Row = Record<string, unknown>;

export async function copySqliteToPostgres(from: string, to: string, options: CopyOptions): Promise<TableCopied[]> {
  const pid = servedBy(from);
  if (pid !== null) {
    throw new CopyRefusedError(
      `a hookd (process ${pid}) is serving ${from}: stop it first, so nothing is written after the copy`,
    );
  }
  const source = new Database(from, { readonly: true, fileMustExist: true });
  const pool = createPool(to, 2);
  try {
    const { applied, expected } = sqliteSchemaVersion(source);
    if (applied !== expected) {
      throw new CopyRefusedError(
        `${from} is at schema version ${applied}, this hookd's is ${expected}: start this hookd on it once (or run ` +
          '`hookd migrate` with it), then copy',
      );
    }
    checkTables(source);
    checkKey(source, options.box);
    await migratePostgres(pool);
    return await inTransaction(pool, async (client) => {
      await refuseUnlessEmpty(client);
      const copied: TableCopied[] = [];
      for (const table of TABLES) copied.push(await copyTable(source, client, table, options));
      return copied;
    });
  } finally {
    source.close();
    await pool.end();
  }
}

function checkTables(source: Database.Database): void {
  const names = source
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((r) => r.name);
  const unknown = names.filter((name) => !(TABLES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`migrate-store does not know how to copy the table(s) ${unknown.join(', ')}`);
}

function checkKey(source: Database.Database, box: SecretBox | null): void {
  const check = source.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?').get('secrets.check');
  if (!check) return; // Secrets stored by a hookd before encryption: the PostgreSQL hookd seals them at its first start.
  if (box === null) {
    throw new CopyRefusedError(
      "the SQLite file's secrets are sealed under a master key, and neither HOOKD_MASTER_KEY nor the data folder's master.key is given",
    );
  }
  try {
    verifyCheck(box, check.value);
  } catch (error) {
    throw new CopyRefusedError(`the master key given does not open the SQLite file's secrets: ${(error as Error).message}`);
  }
}

async function refuseUnlessEmpty(client: pg.PoolClient): Promise<void> {
  const counts = await client.query<{ table: string; rows: number }>(
    TABLES.map((table) => `SELECT '${table}' AS table, count(*)::int AS rows FROM ${table}`).join(' UNION ALL '),
  );
  const filled = counts.rows.filter((r) => r.rows > 0);
  if (filled.length > 0) {
    const what = filled.map((r) => `${r.table}: ${r.rows}`).join(', ');
    throw new CopyRefusedError(`the PostgreSQL database is not empty (${what}): copy into a new, empty database`);
  }
}

async function targetColumns(client: pg.PoolClient, table: string, sourceNames: string[]): Promise<Column[]> {
  const { rows } = await client.query<{ name: string; type: string }>(
    'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()',
    [table],
  );
  const types = new Map(rows.map((r) => [r.name, r.type]));
  const missing = sourceNames.filter((name) => !types.has(name));
  const extra = rows.map((r) => r.name).filter((name) => !sourceNames.includes(name) && !POSTGRES_ONLY.has(`${table}.${name}`));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `the schemas of ${table} differ: only in SQLite ${missing.join(', ') || '-'}; only in PostgreSQL ${extra.join(', ') || '-'}`,
    );
  }
  return sourceNames.map((name) => ({ name, type: types.get(name) as string }));
}

/** A SQLite value in the form PostgreSQL takes: 0/1 as a boolean, a JSON array as an array; the rest as it is. */
function toPostgres(value: unknown, type: string): unknown {
  if (value === null) return null;
  if (type === 'boolean') return value !== 0;
  if (type === 'ARRAY') return JSON.parse(value as string);
  return value;
}

/**
 * A lease held by the stopped process is gone in the copy: a delivery it had is due now, a recovery job it ran is
 * free for the next process to take.
 */
function withoutLease(table: string, row: Row, now: number): Row {
  if (row.lease_token === null || row.lease_token === undefined) return row;
  if (table === 'recovery_jobs') return { ...row, lease_token: null, lease_expires_at: null };
  return { ...row, lease_token: null, next_attempt_at: Math.min(Number(row.next_attempt_at ?? now), now) };
}

const MOD = 1n << 128n;

/** An order-free checksum: the sum of each row's SHA-256 (first 128 bits). */
class Checksum {
  #sum = 0n;
  add(values: unknown[]): void {
    const digest = createHash('sha256').update(JSON.stringify(values)).digest();
    this.#sum = (this.#sum + digest.readBigUInt64BE(0) * (1n << 64n) + digest.readBigUInt64BE(8)) % MOD;
  }
  get hex(): string {
    return this.#sum.toString(16).padStart(32, '0');
  }
}

async function copyTable(
  source: Database.Database,
  client: pg.PoolClient,
  table: string,
  options: CopyOptions,
): Promise<TableCopied> {
  const names = source
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((r) => r.name);
  const columns = await targetColumns(client, table, names);
  const total = (source.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 1_000, Math.floor(60_000 / columns.length)));
  const now = options.now ?? Date.now();
  const sent = new Checksum();
  let batch: unknown[][] = [];
  let done = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await client.query(insertOf(table, columns, batch.length), batch.flat());
    done += batch.length;
    batch = [];
    options.onProgress?.({ table, done, total });
  };
  options.onProgress?.({ table, done, total });
  // Rowid order is insertion order: PostgreSQL numbers deliveries in it, the order FIFO endpoints get them in. A table
  // WITHOUT ROWID has none, and its primary key order does.
  const withoutRowid = (source.pragma(`table_list(${table})`) as { wr: number }[])[0]?.wr === 1;
  const key = (source.pragma(`table_info(${table})`) as { name: string; pk: number }[]).filter((c) => c.pk > 0);
  const order = withoutRowid
    ? key
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name)
        .join(', ')
    : 'rowid';
  for (const raw of source.prepare<[], Row>(`SELECT ${names.join(', ')} FROM ${table} ORDER BY ${order}`).iterate()) {
    const row = withoutLease(table, raw, now);
    const values = columns.map((c) => toPostgres(row[c.name], c.type));
    sent.add(values);
    batch.push(values);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const { rows, checksum } = await readBack(client, table, columns);
  if (rows !== total || checksum !== sent.hex) {
    throw new Error(
      `${table}: the copy does not match (${total} rows, checksum ${sent.hex}; PostgreSQL has ${rows}, checksum ${checksum})`,
    );
  }
  return { table, rows, checksum };
}

function insertOf(table: string, columns: Column[], count: number): string {
  const width = columns.length;
  const tuples = Array.from({ length: count }, (_, r) => `(${columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  return `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(', ')}`;
}

/** Counts and sums the table as PostgreSQL now holds it, through a cursor: memory stays flat. */
async function readBack(client: pg.PoolClient, table: string, columns: Column[]): Promise<{ rows: number; checksum: string }> {
  // json columns read back as the text written (json keeps it verbatim), not parsed.
  const select = columns.map((c) => (c.type === 'json' ? `${c.name}::text AS ${c.name}` : c.name)).join(', ');
  await client.query(`DECLARE copy_check NO SCROLL CURSOR FOR SELECT ${select} FROM ${table}`);
  const received = new Checksum();
  let rows = 0;
  for (;;) {
    const { rows: page } = await client.query<Row>('FETCH 5000 FROM copy_check');
    if (page.length === 0) break;
    for (const row of page) received.add(columns.map((c) => row[c.name]));
    rows += page.length;
  }
  await client.query('CLOSE copy_check');
  return { rows, checksum: received.hex };
}
