/**
 * How the commands that talk to a running hookd (tail, replay, forward, apps, endpoints, …) reach it and what
 * their failures mean. The server and token come from, first to last: --server and --token; the profile named by
 * --profile or HOOKD_PROFILE (`hookd login` writes it); HOOKD_URL and HOOKD_TOKEN; the `default` profile; then
 * the admin token a local `hookd serve` keeps in its data folder, and http://127.0.0.1:8080. A profile's token is
 * sent only to that profile's server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookdClient, HookdApiError, type HookdClient } from '@hookd/sdk/client';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from './output.js';
import { checkProfileName, DEFAULT_PROFILE, type Profile, profilesPath, readProfiles } from './profiles.js';

export interface ServerFlags {
  server?: string;
  /** The old name of --server, still taken. */
  url?: string;
  token?: string;
  profile?: string;
}

export interface ServerConnection {
  baseUrl: string;
  token: string;
  client: HookdClient;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** --server, --token, --profile, shown apart; tail, replay and forward still take --url, the old name of --server. */
export function withServerFlags(command: Command, { oldUrlFlag = true } = {}): Command {
  const heading = 'Server options:';
  command.addOption(
    new Option('--server <url>', 'where hookd serves its API (HOOKD_URL)').default(undefined, DEFAULT_SERVER).helpGroup(heading),
  );
  if (oldUrlFlag) command.addOption(new Option('--url <url>', 'the old name of --server').hideHelp());
  return command
    .addOption(
      new Option('--token <token>', 'an API token (HOOKD_TOKEN)')
        .default(undefined, 'the profile’s, else $HOOKD_DATA_DIR/admin-token or ./data/admin-token')
        .helpGroup(heading),
    )
    .addOption(
      new Option('--profile <name>', 'a server and token saved by hookd login (HOOKD_PROFILE)')
        .default(undefined, 'default')
        .helpGroup(heading),
    );
}

/** The profile a command uses: the one named (an unknown name is an error), else `default` if saved. */
function chosenProfile(flags: ServerFlags, env: NodeJS.ProcessEnv): { named?: Profile; fallback?: Profile } {
  const name = flags.profile ?? env.HOOKD_PROFILE;
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  if (name !== undefined) {
    const profiles = readProfiles(env, warn);
    const named = profiles[checkProfileName(name)];
    if (!named) {
      const known = Object.keys(profiles);
      throw new CliError(
        `no profile ${JSON.stringify(name)} in ${profilesPath(env)}`,
        EXIT.usage,
        known.length > 0
          ? `saved profiles: ${known.join(', ')}; add one with hookd login --profile ${name}`
          : `save one with hookd login --server URL --token TOKEN --profile ${name}`,
      );
    }
    return { named };
  }
  return { fallback: readProfiles(env, warn)[DEFAULT_PROFILE] };
}

export function connect(flags: ServerFlags, processEnv: NodeJS.ProcessEnv = process.env): ServerConnection {
  // A variable set to nothing (`HOOKD_TOKEN= hookd …`) counts as unset.
  const env = Object.fromEntries(Object.entries(processEnv).filter(([, value]) => value !== ''));
  const { named, fallback } = chosenProfile(flags, env);
  const server = flags.server ?? flags.url ?? named?.server ?? env.HOOKD_URL ?? fallback?.server ?? DEFAULT_SERVER;
  const baseUrl = server.replace(/\/+$/, '');
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
    throw new CliError(
      `--server ${JSON.stringify(baseUrl)} is not an http(s) URL`,
      EXIT.usage,
      `e.g. --server ${DEFAULT_SERVER}`,
    );
  // A saved token goes only to the server it was saved for, never to another one named by --server or HOOKD_URL.
  const savedFor = (profile: Profile | undefined) =>
    profile && profile.server.replace(/\/+$/, '') === baseUrl ? profile.token : undefined;
  let token = flags.token ?? savedFor(named) ?? env.HOOKD_TOKEN ?? savedFor(fallback) ?? env.HOOKD_ADMIN_TOKEN;
  const file = join(env.HOOKD_DATA_DIR ?? './data', 'admin-token');
  if (!token && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (!token) {
    const profile = named ?? fallback;
    throw new CliError(
      'no API token',
      EXIT.usage,
      profile
        ? `the profile's token is sent only to ${profile.server}; pass --token for ${baseUrl}`
        : `run hookd login, pass --token or set HOOKD_TOKEN (the admin token hookd serve printed), or run where ${file} is`,
    );
  }
  return { baseUrl, token, client: createHookdClient({ baseUrl, token, timeoutMs: 30_000 }) };
}

/** What to do next after some API errors; the code alone says enough for the others. */
const HINTS: Partial<Record<string, string>> = {
  forbidden: 'this token reaches one app only; event types, sources, tokens and the list of apps need the admin token',
  app_not_found: 'list the apps: hookd apps list',
  endpoint_not_found: 'list the app’s endpoints: hookd endpoints list --app APP',
  message_not_found: 'list the app’s messages: hookd messages list --app APP',
  delivery_not_found: 'list the app’s deliveries: hookd deliveries list --app APP',
  token_not_found: 'list the app’s tokens: hookd tokens list --app APP',
  event_type_not_found: 'list the event types: hookd event-types list',
  source_not_found: 'list the sources: hookd sources list',
  uid_taken: 'pick another --uid, or change the app that has it',
  event_type_exists: 'change it instead: hookd event-types update NAME',
  source_name_taken: 'pick another name, or change the source that has it: hookd sources update NAME',
  delivery_in_flight: 'an attempt is under way; retry once it has ended',
  endpoint_limit_reached: 'delete an endpoint first, or raise HOOKD_MAX_ENDPOINTS_PER_APP on the server',
  schema_mismatch: 'the event type’s schema refused the data: see hookd event-types get TYPE',
  event_type_archived: 'restore it with hookd event-types update TYPE --unarchive, or send another type',
};

/** A failed API call as a CliError: 3 when hookd could not be reached, 4 when what it names is missing, else 2. */
export function apiFailure(error: unknown, baseUrl: string): unknown {
  if (!(error instanceof HookdApiError)) return error;
  switch (error.code) {
    case 'network_error':
    case 'timeout':
      return new CliError(
        `cannot reach hookd at ${baseUrl}: ${error.message}`,
        EXIT.unreachable,
        'is `hookd serve` running there? Point --server (or HOOKD_URL) at it',
      );
    case 'unauthorized':
      return new CliError(
        `hookd at ${baseUrl} refused the token (unauthorized)`,
        EXIT.refused,
        'pass the admin token with --token or HOOKD_TOKEN, or save it with hookd login',
      );
    case 'invalid_response':
      return new CliError(`${baseUrl} does not answer like hookd: ${error.message}`, EXIT.refused, 'check --server');
    default: {
      // Details the message does not already spell out, one a line.
      const details = error.details
        .map((d) => `${d.path || '/'}: ${d.message}`)
        .filter((line) => !error.message.includes(line.slice(line.indexOf(': ') + 2)))
        .map((line) => `\n  ${line}`)
        .join('');
      const missing = error.code.endsWith('_not_found') && error.code !== 'route_not_found';
      return new CliError(
        `${error.message} (${error.code})${details}`,
        missing ? EXIT.notFound : EXIT.refused,
        HINTS[error.code],
      );
    }
  }
}

/** Runs an API call and turns its failure into a CliError. */
export async function api<T>(connection: ServerConnection, call: (client: HookdClient) => Promise<T>): Promise<T> {
  try {
    return await call(connection.client);
  } catch (error) {
    throw apiFailure(error, connection.baseUrl);
  }
}
