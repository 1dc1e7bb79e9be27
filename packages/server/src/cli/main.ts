#!/usr/bin/env node
/** The `hookd` command. */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  type Config,
  ConfigError,
  type ConfigOption,
  loadConfig,
  OPTION_LIST,
  OPTIONS,
  type OptionName,
  type RawSettings,
} from '../config.js';
import type { Hookd } from '../server.js';
import { VERSION } from '../version.js';
import { completionCommand } from './completion.js';
import { forwardCommand } from './forward.js';
import { KEYS_OPTIONS, KeysError, rotateKeys } from './keys.js';
import { listenCommand } from './listen.js';
import { loginCommand, logoutCommand } from './login.js';
import { manageCommands } from './manage/index.js';
import { helpShowsRequiredAndDefaults, reportFailure } from './output.js';
import { replayCommand } from './replay.js';
import { sendCommand } from './send.js';
import { listenFailure, MIGRATE_OPTIONS, withoutPassword } from './serve.js';
import { tailCommand } from './tail.js';
import { transformCommand } from './transform.js';
import { triggerCommand } from './trigger.js';

const program = new Command('hookd')
  .description('Self-hosted webhooks: publish events, hookd delivers them signed, with retries, and never loses one.')
  .version(VERSION)
  .showHelpAfterError();

/**
 * Adds the config options as flags (all, or those named in `only`); `--port 9000` beats HOOKD_PORT beats the config
 * file.
 */
function withConfigFlags(command: Command, only?: readonly OptionName[]): Command {
  command.option('--config <file>', 'JSON file of settings (HOOKD_CONFIG); its keys: see the README');
  const options: readonly ConfigOption[] = only ? only.map((name) => OPTIONS[name]) : OPTION_LIST;
  for (const option of options) {
    const shown = option.default ?? option.computed;
    command.addOption(new Option(`--${option.flag} <value>`, `${option.help} (${option.env})`).default(undefined, shown));
  }
  return command;
}

function configFrom(flags: Record<string, string | undefined>) {
  const settings: RawSettings = {};
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const key = OPTIONS[name].flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = flags[key];
    if (value !== undefined) settings[name] = value;
  }
  return loadConfig({ flags: settings, env: process.env, file: flags.config ?? process.env.HOOKD_CONFIG });
}

/**
 * The token itself only on the start that generated it: the banner ends up in container logs, and a token printed
 * on every start would sit in every one of them.
 */
function adminTokenLine(config: Config, hookd: Hookd): string {
  const file = join(config.dataDir, 'admin-token');
  if (hookd.adminTokenNew) return `  admin token:  ${hookd.adminToken}   (generated now, kept in ${file}; shown only this once)`;
  if (hookd.adminTokenGenerated) return `  admin token:  in ${file}`;
  return '  admin token:  from HOOKD_ADMIN_TOKEN / --admin-token';
}

/** What a user needs to know once the process is up: where it listens, which database, the token. */
function banner(config: Config, hookd: Hookd): string[] {
  const lines = [
    '',
    `  role:         ${config.role}`,
    `  database:     ${withoutPassword(config.databaseUrl)}`,
    `  secrets:      encrypted under key ${hookd.secretsKey.id} (from ${hookd.secretsKey.from})`,
  ];
  if (hookd.api) {
    lines.push(
      `  dashboard:    ${hookd.url}/ui  (sign in with the admin token)`,
      `  API:          ${hookd.url}`,
      `  API docs:     ${hookd.url}/docs  (OpenAPI: ${hookd.url}/openapi.json)`,
      adminTokenLine(config, hookd),
    );
  } else {
    lines.push(`  health:       ${hookd.url ? `${hookd.url}/readyz` : 'none (set --health-port)'}`);
  }
  for (const warning of hookd.warnings) lines.push(`  warning:      ${warning}`);
  if (hookd.worker) {
    lines.push(
      config.allowNetworks.length > 0
        ? `  endpoints may reach: ${config.allowNetworks.join(', ')} (allowed despite the SSRF rules; for local use)`
        : '  endpoints may reach: public addresses only',
    );
  }
  return [...lines, ''];
}

withConfigFlags(
  program
    .command('serve')
    .description('Run the API and the delivery worker (or one of them, with --role)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hookd serve --port 8080 --data-dir ./data',
        '  hookd serve --role api --db postgres://hookd@db:5432/hookd',
        '  hookd serve --role worker --db postgres://hookd@db:5432/hookd --health-port 8081',
        '',
        'Exit codes: 0 stopped by SIGINT or SIGTERM, 1 failed while running, 2 a setting is wrong or the port is taken.',
      ].join('\n'),
    ),
).action(async (flags: Record<string, string | undefined>) => {
  const config = configFrom(flags);
  // Loaded here, not at the top: every other command starts without the server and its dependencies.
  const { startHookd } = await import('../server.js');
  const hookd = await startHookd({ config }).catch((error: unknown) => {
    throw listenFailure(error, config);
  });
  process.stderr.write(`${banner(config, hookd).join('\n')}\n`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n  ${signal}: finishing in-flight deliveries, then stopping\n`);
    hookd.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
});

withConfigFlags(program.command('migrate').description('Apply database migrations, then exit'), MIGRATE_OPTIONS).action(
  async (flags: Record<string, string | undefined>) => {
    const config = configFrom(flags);
    const { openStore } = await import('../store/index.js');
    const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
    await store.migrate();
    await store.close();
    process.stderr.write(`migrations applied to ${withoutPassword(config.databaseUrl)}\n`);
  },
);

program
  .command('migrate-store')
  .description('Copy a stopped hookd from its SQLite file into an empty PostgreSQL database, then exit')
  .requiredOption('--from <file>', 'the SQLite file, e.g. ./data/hookd.db (no hookd may be serving it)')
  .requiredOption('--to <url>', 'an empty PostgreSQL database, postgres://…')
  .addOption(new Option('--master-key <keys>', 'the master key that opens the secrets').env('HOOKD_MASTER_KEY'))
  .option('--data-dir <dir>', "the folder whose master.key opens the secrets, without HOOKD_MASTER_KEY (default: the file's)")
  .addHelpText(
    'after',
    [
      '',
      'Everything is copied in one transaction (apps, tokens, endpoints and their secrets, event types, sources, messages,',
      'deliveries, attempts, settings), then counted and checksummed on both sides. Secrets stay sealed: start hookd on',
      'PostgreSQL with the same master key. Pending deliveries keep their schedule; leases are cleared.',
      '',
      'Exit codes: 0 copied, 1 failed (nothing was committed), 2 refused (a hookd serves the file, the database is not',
      'empty, or the key does not open the secrets).',
      '',
      'Example:',
      '  hookd migrate-store --from ./data/hookd.db --to postgres://hookd@db:5432/hookd',
    ].join('\n'),
  )
  .action(async (flags: { from: string; to: string; masterKey?: string; dataDir?: string }) => {
    // Loaded here, not at the top: it loads both database drivers.
    const { migrateStore } = await import('./migrate-store.js');
    await migrateStore(flags, (text) => process.stderr.write(text), process.stderr.isTTY === true);
  });

const keys = program.command('keys').description('Manage the master key that encrypts stored secrets');
withConfigFlags(
  keys
    .command('rotate')
    .description('Reseal every stored secret under a new master key, while hookd runs; then the old key is retired')
    .addHelpText(
      'after',
      [
        '',
        "With the data folder's master.key (HOOKD_MASTER_KEY unset): a new key is generated and written beside the old",
        'one, every secret is resealed under it, then the old one is removed from the file. Running processes read the',
        'file again when they meet the new key.',
        '',
        'With HOOKD_MASTER_KEY: first set HOOKD_MASTER_KEY=<new>,<old> on every hookd process (the first key seals, all',
        'open), run this with the same value, then keep only <new> everywhere.',
        '',
        'Examples:',
        '  hookd keys rotate --data-dir ./data',
        '  HOOKD_MASTER_KEY="$NEW_KEY,$OLD_KEY" hookd keys rotate --db postgres://hookd@db:5432/hookd',
      ].join('\n'),
    ),
  KEYS_OPTIONS,
).action(async (flags: Record<string, string | undefined>) => {
  const config = configFrom(flags);
  const { MissingKeyError, openStore } = await import('../store/index.js');
  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  try {
    await rotateKeys(config, store, (line) => process.stderr.write(`${line}\n`));
  } catch (error) {
    if (error instanceof KeysError || error instanceof MissingKeyError) throw new ConfigError(error.message);
    throw error;
  } finally {
    await store.close();
  }
});

program.addCommand(listenCommand());
program.addCommand(forwardCommand());
program.addCommand(sendCommand());
program.addCommand(triggerCommand());
program.addCommand(replayCommand());
program.addCommand(tailCommand());
program.addCommand(transformCommand());

// Managing a running hookd (issue 23), and `hookd --help` in groups; a command not listed shows under "Commands:".
for (const command of [...manageCommands(), loginCommand(), logoutCommand(), completionCommand()]) program.addCommand(command);
const HELP_GROUPS: Record<string, string[]> = {
  'Run:': ['serve', 'migrate', 'migrate-store', 'keys'],
  'Develop:': ['listen', 'forward', 'send', 'trigger', 'tail', 'replay', 'transform'],
  'Manage:': ['apps', 'endpoints', 'event-types', 'sources', 'tokens', 'messages', 'deliveries'],
  'Set up:': ['login', 'logout', 'completion'],
};
for (const [heading, names] of Object.entries(HELP_GROUPS))
  for (const name of names) program.commands.find((c) => c.name() === name)?.helpGroup(heading);
program.addHelpCommand(
  new Command('help').argument('[command]').description('display help for command').helpOption(false).helpGroup('Set up:'),
);

helpShowsRequiredAndDefaults(program);
program.parseAsync().catch((error: unknown) => {
  const exitCode = reportFailure(error);
  if (exitCode !== null) process.exit(exitCode);
  if (error instanceof ConfigError) {
    process.stderr.write(`hookd: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hookd: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
