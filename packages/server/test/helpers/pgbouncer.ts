/**
 * Debian's pgbouncer in transaction mode, started on loopback in front of a test database. A store opened through it
 * gets a schema of its own the way pgbouncer allows (it refuses the `options` startup parameter): one pgbouncer
 * database per schema, whose server connections set their search_path once, on connect.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { eventually } from './hookd.js';
import { freePort, killHard } from './processes.js';

export const PGBOUNCER = '/usr/sbin/pgbouncer';
export const PGBOUNCER_MISSING = `no pgbouncer at ${PGBOUNCER} (apt-get install -y pgbouncer)`;

export const pgbouncerInstalled = () => existsSync(PGBOUNCER);

export interface Pgbouncer {
  /** The URL of `schema` of the database, through pgbouncer. */
  url(schema: string): string;
  stop(): Promise<void>;
}

/** Starts pgbouncer in front of the database at `directUrl`, with one pgbouncer database per name in `schemas`. */
export async function startPgbouncer(directUrl: string, schemas: readonly string[]): Promise<Pgbouncer> {
  const direct = new URL(directUrl);
  const user = decodeURIComponent(direct.username) || 'postgres';
  const dbname = direct.pathname.slice(1);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookd-pgbouncer-'));
  chmodSync(dir, 0o755); // pgbouncer drops root for the postgres user, who reads its files again on reload
  const databases = schemas.map(
    (schema) =>
      `${schema} = host=${direct.hostname} port=${direct.port || 5432} dbname=${dbname} user=${user} connect_query='SET search_path = ${schema}'`,
  );
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      ...databases,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 2000',
      'default_pool_size = 4',
      // Server connections of a finished store go soon, so the database can be dropped and others' tests have room.
      'server_idle_timeout = 1',
      'ignore_startup_parameters = extra_float_digits',
      ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const child: ChildProcess = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const url = (schema: string) => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${schema}`;
  const stop = async () => {
    await killHard(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`pgbouncer exited ${child.exitCode}:\n${log}`);
        const client = new pg.Client({ connectionString: url(schemas[0] as string) });
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } catch {
          return undefined;
        } finally {
          await client.end().catch(() => {});
        }
      },
      10_000,
      `pgbouncer to answer on port ${port}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
