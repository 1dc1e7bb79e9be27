/**
 * How `hookd tail` and `hookd replay` reach a running hookd: --url (HOOKD_URL, default http://127.0.0.1:8080) and
 * --token (HOOKD_TOKEN, else the admin token `hookd serve` keeps in its data folder), and what their failures mean.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookdClient, HookdApiError, type HookdClient } from '@hookd/sdk';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from './output.js';

export interface ServerFlags {
  url?: string;
  token?: string;
}

export interface ServerConnection {
  baseUrl: string;
  token: string;
  client: HookdClient;
}

export function withServerFlags(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'where hookd serves its API (HOOKD_URL)').default(undefined, 'http://127.0.0.1:8080'))
    .addOption(
      new Option('--token <token>', 'an API token (HOOKD_TOKEN)').default(
        undefined,
        '$HOOKD_DATA_DIR/admin-token, else ./data/admin-token',
      ),
    );
}

export function connect(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConnection {
  const baseUrl = (flags.url ?? env.HOOKD_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!URL.canParse(baseUrl))
    throw new CliError(`--url ${JSON.stringify(baseUrl)} is not a URL`, EXIT.usage, 'e.g. --url http://127.0.0.1:8080');
  let token = flags.token ?? env.HOOKD_TOKEN ?? env.HOOKD_ADMIN_TOKEN;
  const file = join(env.HOOKD_DATA_DIR ?? './data', 'admin-token');
  if (!token && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (!token) {
    throw new CliError(
      'no API token',
      EXIT.usage,
      `pass --token or set HOOKD_TOKEN (the admin token hookd serve printed), or run where ${file} is`,
    );
  }
  return { baseUrl, token, client: createHookdClient({ baseUrl, token, timeoutMs: 30_000 }) };
}

/** A failed API call as a CliError: exit 3 when hookd could not be reached, 2 when it refused. */
function apiFailure(error: unknown, baseUrl: string): unknown {
  if (!(error instanceof HookdApiError)) return error;
  switch (error.code) {
    case 'network_error':
    case 'timeout':
      return new CliError(
        `cannot reach hookd at ${baseUrl}: ${error.message}`,
        EXIT.unreachable,
        'is `hookd serve` running there? Point --url (or HOOKD_URL) at it',
      );
    case 'unauthorized':
      return new CliError(
        `hookd at ${baseUrl} refused the token`,
        EXIT.refused,
        'pass the admin token with --token or HOOKD_TOKEN',
      );
    case 'invalid_response':
      return new CliError(`${baseUrl} does not answer like hookd: ${error.message}`, EXIT.refused, 'check --url');
    default:
      return new CliError(`${error.message} (${error.code})`, EXIT.refused);
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
