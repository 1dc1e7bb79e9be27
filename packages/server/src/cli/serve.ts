/** What `hookd serve` and `hookd migrate` need beside main.ts: the settings migrate reads, a start that fails clearly. */
import { type Config, ConfigError, OPTIONS, type OptionName } from '../config.js';
import { MissingKeyError } from '../store/index.js';

/** The only settings `hookd migrate` reads: where the database is. Its --help lists these flags, no others. */
export const MIGRATE_OPTIONS: readonly OptionName[] = ['dataDir', 'databaseUrl', 'databasePoolSize'];

/**
 * A start that could not listen, as one line naming the port and the setting that moves it (exit 2, like any
 * wrong setting), instead of a stack trace; anything else is returned as it is.
 */
export function listenFailure(error: unknown, config: Config): unknown {
  // The master key does not open this database's secrets: a setting to fix, like a taken port.
  if (error instanceof MissingKeyError) return new ConfigError(error.message);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return error;
  const option = config.role === 'worker' ? OPTIONS.healthPort : OPTIONS.port;
  const port = config.role === 'worker' ? config.healthPort : config.port;
  const where = `${config.host}:${port}`;
  const move = `pick another with --${option.flag} or ${option.env}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`port ${port} is taken (${where}): stop what uses it (another hookd?), or ${move}`);
  }
  if (code === 'EACCES') {
    return new ConfigError(`no permission to listen on port ${port} (${where}; ports below 1024 need root): ${move}`);
  }
  return new ConfigError(
    `cannot listen on ${where}: no such address here; pick another with --${OPTIONS.host.flag} or ${OPTIONS.host.env}`,
  );
}

/** A database URL fit to print: its password masked. */
export function withoutPassword(databaseUrl: string): string {
  if (!URL.canParse(databaseUrl)) return databaseUrl;
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}
