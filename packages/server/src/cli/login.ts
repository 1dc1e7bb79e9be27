/** `hookd login` and `hookd logout`: save (or forget) a server and token under a profile name, checked first. */
import { readFileSync } from 'node:fs';
import { createHookdClient, HookdApiError } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { CliError, EXIT, paintFor, parsers, printJson } from './output.js';
import { checkProfileName, DEFAULT_PROFILE, removeProfile, saveProfile } from './profiles.js';
import { apiFailure, DEFAULT_SERVER } from './server-client.js';

interface LoginFlags {
  server?: string;
  token?: string;
  tokenStdin?: boolean;
  profile: string;
  verify: boolean;
  json?: boolean;
}

/** Whether the token opens the API: the list of apps answers for the admin token, `forbidden` for an app's token. */
async function tokenKind(server: string, token: string): Promise<'admin' | 'app'> {
  try {
    await createHookdClient({ baseUrl: server, token, timeoutMs: 10_000 }).apps.list({ limit: 1 });
    return 'admin';
  } catch (error) {
    if (error instanceof HookdApiError && error.code === 'forbidden') return 'app';
    throw apiFailure(error, server);
  }
}

export function loginCommand(): Command {
  return new Command('login')
    .description('Save a hookd server and token as a profile, for every command that talks to hookd')
    .addOption(
      new Option('--server <url>', 'where hookd serves its API (HOOKD_URL)')
        .argParser(parsers.url)
        .default(undefined, DEFAULT_SERVER),
    )
    .option('--token <token>', 'the API token (HOOKD_TOKEN); prefer --token-stdin, which keeps it out of shell history')
    .option('--token-stdin', 'read the token from standard input')
    .addOption(new Option('--profile <name>', 'the name to save it under').default(DEFAULT_PROFILE))
    .option('--no-verify', 'save without checking the token against the server')
    .option('--json', 'print where it was saved as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The profile is kept in $XDG_CONFIG_HOME/hookd/config.json (else ~/.config/hookd/config.json), readable by you',
        'only (mode 0600). Commands use it when --profile or HOOKD_PROFILE names it; the profile named default is',
        'used when nothing else says which server (--server and --token, HOOKD_URL and HOOKD_TOKEN win over it).',
        '',
        'Examples:',
        '  printf %s "$HOOKD_TOKEN" | hookd login --server https://hooks.example.com --token-stdin',
        '  hookd login --server http://127.0.0.1:8080 --token "$(cat data/admin-token)" --profile local',
        '  hookd apps list --profile local',
      ].join('\n'),
    )
    .action(async (flags: LoginFlags) => {
      const profile = checkProfileName(flags.profile);
      const server = (flags.server || process.env.HOOKD_URL || DEFAULT_SERVER).replace(/\/+$/, '');
      if (!URL.canParse(server))
        throw new CliError(`${JSON.stringify(server)} is not a URL`, EXIT.usage, `e.g. --server ${DEFAULT_SERVER}`);
      if (flags.token !== undefined && flags.tokenStdin)
        throw new CliError('--token and --token-stdin together', EXIT.usage, 'pass the token one way');
      const token = (flags.tokenStdin ? readFileSync(0, 'utf8') : flags.token || process.env.HOOKD_TOKEN || '').trim();
      if (!token)
        throw new CliError(
          'no token to save',
          EXIT.usage,
          'pass --token-stdin (or --token), e.g. the admin token hookd serve printed',
        );
      const kind = flags.verify ? await tokenKind(server, token) : null;
      const path = saveProfile(process.env, profile, { server, token });
      if (flags.json) return printJson({ profile, server, file: path, token: kind ?? 'unverified' });
      const p = paintFor(process.stderr);
      const what = kind === null ? 'not checked' : kind === 'admin' ? 'the admin token' : 'an app token';
      process.stderr.write(`${p.green('✓')} saved profile ${profile}: ${server} (${what}) in ${path}\n`);
    });
}

export function logoutCommand(): Command {
  return new Command('logout')
    .description('Forget a saved profile (its token is removed from the file)')
    .addOption(new Option('--profile <name>', 'the profile to forget').default(DEFAULT_PROFILE))
    .option('--json', 'print what was forgotten as JSON')
    .action((flags: { profile: string; json?: boolean }) => {
      const profile = checkProfileName(flags.profile);
      if (!removeProfile(process.env, profile)) throw new CliError(`no profile ${profile} saved`, EXIT.usage);
      if (flags.json) printJson({ profile, removed: true });
      else process.stderr.write(`forgot profile ${profile}\n`);
    });
}
