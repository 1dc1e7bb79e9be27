/** `hookd sources`: ingest URLs for a provider's webhooks, verified, then forwarded to your app's URLs (admin token). */
import type { Source, SourceRateLimit, SourceScheme } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../output.js';
import { readJsonData } from '../signed.js';
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

const SCHEMES: SourceScheme[] = ['standard', 'hmac-sha256-hex', 'stripe', 'github', 'shopify', 'slack', 'none'];

interface SourceFlags extends ApiFlags {
  scheme?: SourceScheme;
  secret?: string[];
  to?: string[];
  events?: string[];
  allowIp?: string[];
  rateLimit?: number | null;
  burst?: number;
  schema?: string;
  forwardHeader?: string[];
  yes?: boolean;
}

const fields = (s: Source): [string, unknown][] => [
  ['id', s.id],
  ['name', s.name],
  ['ingest URL', s.ingestUrl],
  ['scheme', s.scheme],
  ['secrets', s.secrets.length > 0 ? s.secrets : '—'],
  ['app', s.appId],
  ...s.destinations.map((d, i): [string, unknown] => [
    `destination ${i + 1}`,
    `${d.url}  events: ${d.events?.join(',') ?? '*'}  ${d.disabled ? 'disabled' : ''}`.trimEnd(),
  ]),
  ['allowed IPs', s.allowIps.length > 0 ? s.allowIps : 'any'],
  [
    'rate limit',
    s.rateLimit === null ? 'none' : `${s.rateLimit.perSecond}/s, burst ${s.rateLimit.burst ?? s.rateLimit.perSecond}`,
  ],
  ['schema', s.schema ?? 'none'],
  ['forward headers', s.forwardHeaders.length > 0 ? s.forwardHeaders : '—'],
  ['refusals', s.refusals.count === 0 ? 0 : `${s.refusals.count}, last ${s.refusals.lastCode} at ${when(s.refusals.lastAt)}`],
  ['created', when(s.createdAt)],
  ['updated', when(s.updatedAt)],
];

const repeat = (v: string, p: string[] = []) => [...p, v];

function withSourceFields(command: Command): Command {
  return command
    .option('--secret <secret>', 'the provider’s signing secret; repeat during a rotation (new, then old)', repeat)
    .option('--allow-ip <cidr>', 'an address or CIDR range requests must come from; repeatable', repeat)
    .addOption(
      new Option('--rate-limit <n>', 'verified requests per second it lets through, or none').argParser(parse.limitOrNone),
    )
    .addOption(new Option('--burst <n>', 'requests let through at once (with --rate-limit)').argParser(parse.count))
    .option('--schema <json>', 'a JSON Schema the body must match: JSON, @file.json, @-, or none')
    .option('--forward-header <name>', 'a header forwarded beside the usual ones; repeatable', repeat);
}

function rateLimit(flags: SourceFlags): SourceRateLimit | null | undefined {
  if (flags.burst !== undefined && (flags.rateLimit === undefined || flags.rateLimit === null))
    throw new CliError('--burst needs --rate-limit', EXIT.usage, 'e.g. --rate-limit 10 --burst 50');
  if (flags.rateLimit === undefined || flags.rateLimit === null) return flags.rateLimit;
  return { perSecond: flags.rateLimit, ...(flags.burst === undefined ? {} : { burst: flags.burst }) };
}

function settings(flags: SourceFlags) {
  const schema = flags.schema === undefined ? undefined : flags.schema === 'none' ? null : readJsonData(flags.schema, '--schema');
  return {
    secrets: flags.secret,
    allowIps: flags.allowIp,
    rateLimit: rateLimit(flags),
    schema: schema as Record<string, unknown> | null | undefined,
    forwardHeaders: flags.forwardHeader,
  };
}

export function sourcesCommand(): Command {
  const list = apiAction<ApiFlags & PagingFlags>(
    withPaging(new Command('list').description('List sources, newest first')),
    async (ctx) => {
      const page = await ctx.call((c) => fetchList(ctx.flags, (p) => c.sources.list(p)));
      printList(
        ctx.flags,
        page,
        [
          { header: 'id', value: (s) => s.id },
          { header: 'name', value: (s) => s.name },
          { header: 'scheme', value: (s) => s.scheme },
          { header: 'destinations', value: (s) => String(s.destinations.length) },
          {
            header: 'refusals',
            value: (s) => String(s.refusals.count),
            paint: (p, text, s) => (s.refusals.count > 0 ? p.yellow(text) : text),
          },
          { header: 'ingest url', value: (s) => s.ingestUrl },
        ],
        { noun: 'sources', hint: 'create one: hookd sources create github --scheme github --secret … --to http://…' },
      );
    },
  );

  const get = apiAction(
    new Command('get').description('Show a source, its destinations and refusals').argument('<source>', 'its id or name'),
    async (ctx, source) => {
      printRecord(ctx.flags, await ctx.call((c) => c.sources.get(source as string)), fields);
    },
  );

  const create = apiAction<SourceFlags>(
    withSourceFields(
      new Command('create')
        .description('Create a source: an ingest URL /in/<name> whose verified requests go to each --to URL')
        .argument('<name>', 'letters, digits, _ and -; the ingest URL is /in/<name>')
        .addOption(
          new Option('--scheme <scheme>', 'the provider’s signature scheme, or none').choices(SCHEMES).makeOptionMandatory(),
        )
        .requiredOption('--to <url>', 'a destination URL; repeatable', repeat)
        .option('--events <types>', 'only these provider event types go to the destinations; comma-separated', parse.list),
    ),
    async (ctx, name) => {
      const flags = ctx.flags;
      const destinations = (flags.to ?? []).map((url) => ({ url, ...(flags.events ? { events: flags.events } : {}) }));
      const source = await ctx.call((c) =>
        c.sources.create({ name: name as string, scheme: flags.scheme as SourceScheme, destinations, ...settings(flags) }),
      );
      if (!flags.json) said(`created source ${source.name}: point the provider at ${source.ingestUrl}`);
      printRecord(flags, source, fields);
    },
  );

  const update = apiAction<SourceFlags>(
    withSourceFields(
      new Command('update')
        .description('Change a source’s secrets (each --secret replaces the list), IPs, rate limit, schema or headers')
        .argument('<source>', 'its id or name'),
    ),
    async (ctx, source) => {
      const patch = changes(settings(ctx.flags), 'pass --secret, --allow-ip, --rate-limit, --schema or --forward-header');
      const updated = await ctx.call((c) => c.sources.update(source as string, patch));
      if (!ctx.flags.json) said(`updated source ${updated.name}`);
      printRecord(ctx.flags, updated, fields);
    },
  );

  const remove = apiAction<SourceFlags>(
    withYes(
      new Command('delete')
        .description('Delete a source, its destinations and what it ingested')
        .argument('<source>', 'its id or name'),
    ),
    async (ctx, source) => {
      await confirm(ctx.flags.yes, `delete source ${source}, its destinations and what it ingested`);
      await ctx.call((c) => c.sources.delete(source as string));
      printDeleted(ctx.flags, 'source', source as string);
    },
  );

  return group(
    'sources',
    'Sources: ingest URLs for providers’ webhooks',
    [list, get, create, update, remove],
    [
      'hookd sources create github --scheme github --secret "$GITHUB_WEBHOOK_SECRET" --to http://127.0.0.1:3000/github',
      'hookd sources list',
      'hookd sources update github --secret "$NEW_SECRET" --secret "$GITHUB_WEBHOOK_SECRET"   # rotation',
      'hookd sources delete github --yes',
    ],
  );
}
