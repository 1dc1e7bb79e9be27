/** `hookd apps`: the tenants whose endpoints receive their events. */
import type { App } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { printJson } from '../output.js';
import {
  type ApiFlags,
  apiAction,
  changes,
  confirm,
  fetchList,
  group,
  type PagingFlags,
  parse,
  printDeleted,
  printList,
  printRecord,
  said,
  when,
  withPaging,
  withYes,
} from './common.js';

interface AppFlags extends ApiFlags {
  name?: string;
  uid?: string;
  alertWhenSilent?: boolean;
  maxInFlight?: number | null;
}

const fields = (app: App): [string, unknown][] => [
  ['id', app.id],
  ['uid', app.uid],
  ['name', app.name],
  ['alert when silent', app.alertWhenSilent],
  ['max in flight', app.maxInFlight ?? 'server default (HOOKD_APP_CONCURRENCY)'],
  ['created', when(app.createdAt)],
  ['updated', when(app.updatedAt)],
];

function withAppFields(command: Command): Command {
  return command
    .option('--uid <uid>', 'your own key for the app, usable in place of its id (not starting with app_)')
    .option('--alert-when-silent', 'raise the ops event ingest.silent when no event arrives for a while')
    .addOption(
      new Option('--max-in-flight <n>', 'its deliveries in flight per worker process, or none (admin token)').argParser(
        parse.limitOrNone,
      ),
    );
}

export function appsCommand(): Command {
  const list = apiAction<ApiFlags & PagingFlags>(
    withPaging(new Command('list').description('List apps, newest first')),
    async (ctx) => {
      const page = await ctx.call((c) => fetchList(ctx.flags, (p) => c.apps.list(p)));
      printList(
        ctx.flags,
        page,
        [
          { header: 'id', value: (a) => a.id },
          { header: 'uid', value: (a) => a.uid ?? '—' },
          { header: 'name', value: (a) => a.name, max: 40 },
          { header: 'created', value: (a) => when(a.createdAt) },
        ],
        { noun: 'apps', hint: 'create one: hookd apps create --name Acme --uid acme' },
      );
    },
  );

  const get = apiAction(new Command('get').description('Show an app').argument('<app>', 'its id or uid'), async (ctx, app) => {
    printRecord(ctx.flags, await ctx.call((c) => c.apps.get(app as string)), fields);
  });

  const create = apiAction<AppFlags>(
    withAppFields(new Command('create').description('Create an app').requiredOption('--name <name>', 'what to call it')),
    async (ctx) => {
      const { name, uid, alertWhenSilent, maxInFlight } = ctx.flags;
      const app = await ctx.call((c) => c.apps.create({ name: name as string, uid, alertWhenSilent, maxInFlight }));
      if (!ctx.flags.json) said(`created app ${app.uid ?? app.id}`);
      printRecord(ctx.flags, app, fields);
    },
  );

  const update = apiAction<AppFlags>(
    withAppFields(
      new Command('update')
        .description('Change an app’s name, uid or settings')
        .argument('<app>', 'its id or uid')
        .option('--name <name>', 'a new name'),
      // After --alert-when-silent: defined first, the negation would default the flag to true.
    ).option('--no-alert-when-silent', 'stop raising ingest.silent for it'),
    async (ctx, app) => {
      const { name, uid, alertWhenSilent, maxInFlight } = ctx.flags;
      const patch = changes(
        { name, uid, alertWhenSilent, maxInFlight },
        'pass --name, --uid, --[no-]alert-when-silent or --max-in-flight',
      );
      const updated = await ctx.call((c) => c.apps.update(app as string, patch));
      if (!ctx.flags.json) said(`updated app ${updated.uid ?? updated.id}`);
      printRecord(ctx.flags, updated, fields);
    },
  );

  const remove = apiAction<ApiFlags & { yes?: boolean }>(
    withYes(
      new Command('delete')
        .description('Delete an app with its endpoints, messages and deliveries')
        .argument('<app>', 'its id or uid'),
    ),
    async (ctx, app) => {
      await confirm(ctx.flags.yes, `delete app ${app} with its endpoints, messages and deliveries`);
      await ctx.call((c) => c.apps.delete(app as string));
      printDeleted(ctx.flags, 'app', app as string);
    },
  );

  const portal = apiAction<ApiFlags & { expiresIn?: string }>(
    new Command('portal-link')
      .description('A signed link that opens the dashboard for this app only, for its customer')
      .argument('<app>', 'its id or uid')
      .option('--expires-in <duration>', 'how long the link and its session last, 1m to 24h (default 1h)'),
    async (ctx, app) => {
      const link = await ctx.call((c) => c.apps.portalLink(app as string, { expiresIn: ctx.flags.expiresIn }));
      if (ctx.flags.json) return printJson(link);
      said(`portal link for app ${app}, valid until ${when(link.expiresAt)}`);
      process.stdout.write(`${link.url}\n`);
    },
  );

  return group(
    'apps',
    'Apps: the tenants whose endpoints get their events',
    [list, get, create, update, remove, portal],
    [
      'hookd apps create --name Acme --uid acme',
      'hookd apps list',
      'hookd apps update acme --name "Acme Inc"',
      'hookd apps portal-link acme --expires-in 30m',
      'hookd apps delete acme --yes',
    ],
  );
}
