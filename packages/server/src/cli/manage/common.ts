/**
 * What every `hookd apps|endpoints|… <verb>` shares: the server flags and --json, one API call through the SDK
 * client, and the way answers are printed (a table for lists, aligned fields for one record, JSON with --json).
 */
import { createInterface } from 'node:readline/promises';
import { type HookdClient, type Page, paginate } from '@hookd/sdk/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT, type Paint, paintFor, printJson } from '../output.js';
import { api, connect, type ServerConnection, type ServerFlags, withServerFlags } from '../server-client.js';
import { type Column, record, table } from '../table.js';

export interface ApiFlags extends ServerFlags {
  json?: boolean;
}

export interface Context<F> {
  flags: F;
  connection: ServerConnection;
  /** Runs one client call; its failure becomes a CliError with the API's code and a hint. */
  call<T>(fn: (client: HookdClient) => Promise<T>): Promise<T>;
}

/** Adds --json and the server flags, and runs the handler with a connection; positional arguments come first. */
export function apiAction<F extends ApiFlags>(
  command: Command,
  handler: (ctx: Context<F>, ...args: string[]) => Promise<void>,
): Command {
  command.option('--json', 'print the API’s answer as JSON');
  // No --url here: `endpoints create --url` is the endpoint's.
  withServerFlags(command, { oldUrlFlag: false });
  return command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const flags = self.opts() as F;
    const connection = connect({ server: flags.server, token: flags.token, profile: flags.profile });
    const ctx: Context<F> = { flags, connection, call: (fn) => api(connection, fn) };
    await handler(ctx, ...(received.slice(0, -2) as string[]));
  });
}

/** A resource's group command (`hookd apps`): its verbs, and help that says how they connect. */
export function group(name: string, description: string, verbs: Command[], examples: string[], notes: string[] = []): Command {
  const command = new Command(name).description(description);
  for (const verb of verbs) command.addCommand(verb);
  const after = ['', 'Examples:', ...examples.map((e) => `  ${e}`)];
  if (notes.length > 0) after.push('', ...notes);
  return command.addHelpText('after', after.join('\n'));
}

export const parse = {
  count(text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number from 1.');
    return n;
  },
  /** A positive number, or `none` to remove the limit. */
  limitOrNone(text: string): number | null {
    if (text === 'none') return null;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0, or none.');
    return n;
  },
  /** `a,b` and repeated flags both add to the list. */
  list(text: string, previous: string[] | undefined): string[] {
    return [
      ...(previous ?? []),
      ...text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ];
  },
};

/** --limit, --after and --all on a list command. */
export function withPaging(command: Command): Command {
  return command
    .addOption(new Option('--limit <n>', 'how many on this page, 1 to 250').argParser(parse.count).default(undefined, '50'))
    .option('--after <cursor>', 'the page after this cursor (printed under a page that has more)')
    .option('--all', 'every page, one after the other');
}

export interface PagingFlags {
  limit?: number;
  after?: string;
  all?: boolean;
}

/** One page, or with --all every page as one (its `nextCursor` null). */
export async function fetchList<T>(
  flags: PagingFlags,
  listPage: (page: { limit?: number; after?: string }) => Promise<Page<T>>,
): Promise<Page<T>> {
  if (!flags.all) return listPage({ limit: flags.limit, after: flags.after });
  const data: T[] = [];
  for await (const item of paginate((page) => listPage({ limit: flags.limit ?? 250, after: page.after ?? flags.after })))
    data.push(item);
  return { data, nextCursor: null };
}

const out = (): Paint => paintFor(process.stdout);
const err = (): Paint => paintFor(process.stderr);

/** A list: the page as JSON, or a table with what to do when it is empty or has more. */
export function printList<T>(flags: ApiFlags, page: Page<T>, columns: Column<T>[], empty: { noun: string; hint: string }): void {
  if (flags.json) {
    printJson(page);
    return;
  }
  if (page.data.length === 0) {
    process.stderr.write(`no ${empty.noun}${err().dim(` — ${empty.hint}`)}\n`);
    return;
  }
  process.stdout.write(table(out(), columns, page.data, process.stdout.isTTY === true, process.stdout.columns));
  if (page.nextCursor !== null) {
    process.stderr.write(err().dim(`more: add --after ${page.nextCursor} (or --all for every page)\n`));
  }
}

/** One record: JSON, or its fields aligned. */
export function printRecord<T>(flags: ApiFlags, value: T, fields: (value: T) => [string, unknown][]): void {
  if (flags.json) printJson(value);
  else process.stdout.write(record(out(), fields(value)));
}

/** A line on stderr saying what was done, so stdout holds only the record (or the JSON). */
export function said(text: string): void {
  process.stderr.write(`${err().green('✓')} ${text}\n`);
}

/** A deletion done: `{"deleted": true, "id": …}` with --json, a line otherwise. */
export function printDeleted(flags: ApiFlags, what: string, id: string): void {
  if (flags.json) printJson({ deleted: true, id });
  else said(`deleted ${what} ${id}`);
}

/** Deleting asks first on a terminal; elsewhere it needs --yes, so a script never deletes by accident. */
export async function confirm(yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(`${question}: not confirmed`, EXIT.usage, 'pass --yes to delete without being asked');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question}? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('nothing deleted', EXIT.usage);
}

export function withYes(command: Command): Command {
  return command.option('-y, --yes', 'do not ask; needed when not on a terminal');
}

/** ISO time as a short, sortable, readable cell: `2026-01-31 12:00:00`. */
export function when(iso: string | null): string {
  return iso === null ? '—' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Removes undefined fields, so a PATCH sends only what was given; nothing given is a usage error. */
export function changes<T extends object>(patch: T, hint: string): T {
  const kept = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as T;
  if (Object.keys(kept).length === 0) throw new CliError('nothing to change', EXIT.usage, hint);
  return kept;
}
