#!/usr/bin/env node
/** The `hookd` command. */
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, OPTION_LIST, OPTIONS, type OptionName, type RawSettings } from '../config.js';
import { startHookd } from '../server.js';
import { openStore } from '../store/index.js';

const program = new Command('hookd')
  .description('Self-hosted webhooks: publish events, hookd delivers them signed, with retries, and never loses one.')
  .showHelpAfterError();

/** Adds every config option as a flag; `--port 9000` beats HOOKD_PORT beats the config file. */
function withConfigFlags(command: Command): Command {
  command.option('--config <file>', 'JSON file of settings (HOOKD_CONFIG)');
  for (const option of OPTION_LIST) {
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

withConfigFlags(
  program
    .command('serve')
    .description('Run the API and the delivery worker')
    .addHelpText(
      'after',
      '\nExample:\n  hookd serve --port 8080 --data-dir ./data\n  HOOKD_DATABASE_URL=sqlite:/var/lib/hookd/hookd.db hookd serve',
    ),
).action(async (flags: Record<string, string | undefined>) => {
  const config = configFrom(flags);
  const hookd = await startHookd({ config });
  const lines = [
    '',
    `  hookd is listening on ${hookd.url}`,
    `  API docs:     ${hookd.url}/docs  (OpenAPI: ${hookd.url}/openapi.json)`,
    `  database:     ${config.databaseUrl}`,
    hookd.adminTokenGenerated
      ? `  admin token:  ${hookd.adminToken}   (kept in ${config.dataDir}/admin-token)`
      : '  admin token:  from HOOKD_ADMIN_TOKEN / --admin-token',
    config.allowNetworks.length > 0
      ? `  endpoints may reach: ${config.allowNetworks.join(', ')} (allowed despite the SSRF rules; for local use)`
      : '  endpoints may reach: public addresses only',
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
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

withConfigFlags(program.command('migrate').description('Apply database migrations, then exit')).action(
  async (flags: Record<string, string | undefined>) => {
    const config = configFrom(flags);
    const store = await openStore(config.databaseUrl);
    await store.migrate();
    await store.close();
    process.stderr.write(`migrations applied to ${config.databaseUrl}\n`);
  },
);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`hookd: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hookd: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
