/**
 * `hookd migrate-store --from ./data/hookd.db --to postgres://…`: moves a stopped hookd from SQLite to PostgreSQL, with
 * a progress bar per table, then each table's count and checksum, checked on both sides.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';
import {
  type CopyProgress,
  CopyRefusedError,
  copySqliteToPostgres,
  isSharedDatabase,
  keyFilePath,
  openKeySource,
  type SecretBox,
} from '../store/index.js';
import { withoutPassword } from './serve.js';

export interface MigrateStoreFlags {
  from: string;
  to: string;
  masterKey?: string;
  dataDir?: string;
}

const BAR_WIDTH = 24;

/** One line per table: redrawn in place on a terminal, written once when the table is done otherwise. */
function progressLine(write: (text: string) => void, tty: boolean) {
  return ({ table, done, total }: CopyProgress) => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const line = `  ${table.padEnd(22)} ${bar} ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`;
    if (tty) write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done === total) write(`${line}\n`);
  };
}

/** The master keys that open the source's secrets: HOOKD_MASTER_KEY, or the key file in its data folder (never made here). */
function sourceKeys(flags: MigrateStoreFlags): { box: SecretBox | null; from: string | null } {
  if (flags.masterKey) return { box: openKeySource(flags.masterKey, '').box, from: 'HOOKD_MASTER_KEY' };
  const dataDir = flags.dataDir ?? dirname(flags.from);
  if (!existsSync(keyFilePath(dataDir))) return { box: null, from: null };
  return { box: openKeySource(null, dataDir).box, from: keyFilePath(dataDir) };
}

export async function migrateStore(flags: MigrateStoreFlags, write: (text: string) => void, tty: boolean): Promise<void> {
  if (!isSharedDatabase(flags.to)) throw new ConfigError(`--to must be a postgres:// URL (it is ${flags.to})`);
  if (!existsSync(flags.from)) throw new ConfigError(`--from: there is no SQLite file at ${flags.from}`);
  const keys = (() => {
    try {
      return sourceKeys(flags);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  })();
  write(`copying ${flags.from} into ${withoutPassword(flags.to)}\n`);
  const started = Date.now();
  let copied: Awaited<ReturnType<typeof copySqliteToPostgres>>;
  try {
    copied = await copySqliteToPostgres(flags.from, flags.to, { box: keys.box, onProgress: progressLine(write, tty) });
  } catch (error) {
    if (error instanceof CopyRefusedError) throw new ConfigError(error.message);
    throw error;
  }
  write(`\n  ${'table'.padEnd(22)} ${'rows'.padStart(10)}  checksum (the same in both)\n`);
  for (const { table, rows, checksum } of copied) write(`  ${table.padEnd(22)} ${String(rows).padStart(10)}  ${checksum}\n`);
  const rows = copied.reduce((sum, t) => sum + t.rows, 0);
  write(`\ncopied ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s; counts and checksums match\n`);
  if (keys.from !== null) {
    write(`start hookd on PostgreSQL with the same master key (from ${keys.from}): the secrets were copied sealed under it\n`);
  }
}
