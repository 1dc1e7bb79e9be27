/** `hookd endpoints`: the URLs an app's events are delivered to, each with its secret, filters and limits. */
import { readFileSync } from 'node:fs';
import type { Endpoint } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../output.js';
import { extraHeaders, readJsonData } from '../signed.js';
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

interface AppScoped extends ApiFlags {
  app: string;
}

interface EndpointFlags extends AppScoped {
  url?: string;
  description?: string;
  events?: string[];
  filter?: string;
  transformation?: string;
  scheme?: 'standard' | 'hmac-sha256-hex';
  header?: string[];
  rateLimit?: number | null;
  maxInFlight?: number | null;
  fifo?: boolean;
  sendTraceContext?: boolean;
  secret?: string;
  disable?: boolean;
  enable?: boolean;
  paused?: boolean;
}

/** disabled wins: a disabled endpoint sends nothing, paused or not. */
const stateOf = (ep: Endpoint) => (ep.disabled ? 'disabled' : ep.paused ? 'paused' : 'enabled');

const fields = (ep: Endpoint): [string, unknown][] => [
  ['id', ep.id],
  ['app', ep.appId],
  ['url', ep.url],
  ['description', ep.description || '—'],
  ['events', ep.events ?? 'every type'],
  ['filter', ep.filter ?? 'none'],
  [
    'transformation',
    ep.transformation === null ? 'none' : `${ep.transformation.trimEnd().split('\n').length} lines of JavaScript`,
  ],
  ['scheme', ep.signatureScheme],
  ['secret', ep.secret],
  ['headers', Object.keys(ep.headers).length > 0 ? ep.headers : '—'],
  ['rate limit', ep.rateLimit === null ? 'none' : `${ep.rateLimit}/s`],
  ['max in flight', ep.maxInFlight ?? 'none'],
  ['fifo', ep.fifo],
  ['trace context', ep.sendTraceContext ? 'sent (traceparent)' : 'not sent'],
  [
    'status',
    ep.disabled
      ? `disabled ${when(ep.disabledAt)}: ${ep.disabledReason ?? ''}`.trim()
      : ep.paused
        ? `paused ${when(ep.pausedAt)}: deliveries held`
        : 'enabled',
  ],
  ...(ep.disabled && ep.paused ? [['paused', `${when(ep.pausedAt)}: still paused once enabled`] as [string, unknown]] : []),
  ['created', when(ep.createdAt)],
  ['updated', when(ep.updatedAt)],
];

export const appOption = () => new Option('--app <app>', 'the app, by id or uid').makeOptionMandatory();

function withEndpointFields(command: Command): Command {
  return command
    .option('--description <text>', 'what it is for')
    .option('--events <types>', 'event types it receives: names, prefix.* or *; comma-separated or repeated', parse.list)
    .option(
      '--filter <json>',
      'deliver only messages matching this MongoDB-style query (JSON, @file.json or @-), e.g. \'{"data.amount":{"$gt":100}}\'; none removes it',
    )
    .option(
      '--transformation <file>',
      'a JavaScript file whose function handler(webhook) reshapes each delivery before it is signed and sent (- reads standard input; try one with hookd transform test); none removes it',
    )
    .addOption(new Option('--scheme <scheme>', 'how deliveries are signed').choices(['standard', 'hmac-sha256-hex']))
    .option('-H, --header <header>', 'a header sent with every delivery, "Name: value"; repeatable', (v, p: string[] = []) => [
      ...p,
      v,
    ])
    .addOption(new Option('--rate-limit <n>', 'deliveries started per second at most, or none').argParser(parse.limitOrNone))
    .addOption(new Option('--max-in-flight <n>', 'deliveries in flight at once at most, or none').argParser(parse.limitOrNone));
}

function input(flags: EndpointFlags) {
  return {
    url: flags.url,
    description: flags.description,
    events: flags.events,
    filter: filterOf(flags.filter),
    transformation: transformationOf(flags.transformation),
    signatureScheme: flags.scheme,
    headers: flags.header === undefined ? undefined : extraHeaders(flags.header),
    rateLimit: flags.rateLimit,
    maxInFlight: flags.maxInFlight,
    fifo: flags.fifo,
    sendTraceContext: flags.sendTraceContext,
  };
}

/** --filter: a JSON object, @file.json or @-; `none` removes it. */
function filterOf(text: string | undefined): Record<string, unknown> | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return null;
  const filter = readJsonData(text, '--filter');
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new CliError('--filter is not a JSON object', EXIT.usage, 'e.g. \'{"type":"invoice.paid","data.amount":{"$gt":100}}\'');
  }
  return filter as Record<string, unknown>;
}

/** --transformation: the code in a file (- for standard input); `none` removes it. */
function transformationOf(path: string | undefined): string | null | undefined {
  if (path === undefined) return undefined;
  if (path === 'none') return null;
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path === '-' ? 'standard input' : path}: ${(error as Error).message}`, EXIT.usage);
  }
}

export function endpointsCommand(): Command {
  const list = apiAction<AppScoped & PagingFlags>(
    withPaging(new Command('list').description('List an app’s endpoints, newest first').addOption(appOption())),
    async (ctx) => {
      const page = await ctx.call((c) => fetchList(ctx.flags, (p) => c.endpoints.list(ctx.flags.app, p)));
      printList(
        ctx.flags,
        page,
        [
          { header: 'id', value: (ep) => ep.id },
          { header: 'url', value: (ep) => ep.url, max: 60 },
          { header: 'events', value: (ep) => ep.events?.join(',') ?? '*', max: 30 },
          {
            header: 'status',
            value: stateOf,
            paint: (p, text, ep) => (ep.disabled ? p.red(text) : ep.paused ? p.yellow(text) : p.green(text)),
          },
          { header: 'created', value: (ep) => when(ep.createdAt) },
        ],
        { noun: 'endpoints', hint: `add one: hookd endpoints create --app ${ctx.flags.app} --url https://…` },
      );
    },
  );

  const get = apiAction<AppScoped>(
    new Command('get')
      .description('Show an endpoint, its secret included')
      .argument('<endpoint>', 'its id')
      .addOption(appOption()),
    async (ctx, ep) => {
      printRecord(ctx.flags, await ctx.call((c) => c.endpoints.get(ctx.flags.app, ep as string)), fields);
    },
  );

  const create = apiAction<EndpointFlags>(
    withEndpointFields(
      new Command('create')
        .description('Add an endpoint to an app; hookd makes its signing secret unless --secret gives one')
        .addOption(appOption())
        .requiredOption('--url <url>', 'where deliveries are POSTed'),
    )
      .option('--fifo', 'one delivery at a time, in publish order')
      .option('--send-trace-context', 'deliveries carry traceparent/tracestate (when hookd exports traces)')
      .option('--secret <whsec>', 'bring your own whsec_… secret')
      .option('--paused', 'hold its deliveries until `hookd endpoints resume`'),
    async (ctx) => {
      const { url, secret, paused } = ctx.flags;
      const body = { ...input(ctx.flags), url: url as string, secret, paused };
      const ep = await ctx.call((c) => c.endpoints.create(ctx.flags.app, body));
      if (!ctx.flags.json) said(`created endpoint ${ep.id}`);
      printRecord(ctx.flags, ep, fields);
    },
  );

  const update = apiAction<EndpointFlags>(
    withEndpointFields(
      new Command('update')
        .description('Change an endpoint; --disable stops its deliveries, --enable resumes them')
        .argument('<endpoint>', 'its id')
        .addOption(appOption())
        .option('--url <url>', 'a new URL'),
    )
      .option('--fifo', 'one delivery at a time, in publish order')
      .option('--no-fifo', 'deliver concurrently again')
      .option('--send-trace-context', 'deliveries carry traceparent/tracestate (when hookd exports traces)')
      .option('--no-send-trace-context', 'deliveries carry no trace context')
      .addOption(new Option('--disable', 'stop delivering to it').conflicts('enable'))
      .option('--enable', 'deliver to it again'),
    async (ctx, ep) => {
      const flags = ctx.flags;
      const disabled = flags.disable ? true : flags.enable ? false : undefined;
      const patch = changes({ ...input(flags), disabled }, 'pass what to change, e.g. --url, --events, --disable');
      const updated = await ctx.call((c) => c.endpoints.update(flags.app, ep as string, patch));
      if (!flags.json) said(`updated endpoint ${updated.id}`);
      printRecord(flags, updated, fields);
    },
  );

  const remove = apiAction<AppScoped & { yes?: boolean }>(
    withYes(
      new Command('delete')
        .description('Delete an endpoint and its deliveries')
        .argument('<endpoint>', 'its id')
        .addOption(appOption()),
    ),
    async (ctx, ep) => {
      await confirm(ctx.flags.yes, `delete endpoint ${ep} of app ${ctx.flags.app}`);
      await ctx.call((c) => c.endpoints.delete(ctx.flags.app, ep as string));
      printDeleted(ctx.flags, 'endpoint', ep as string);
    },
  );

  const rotate = apiAction<AppScoped & { secret?: string }>(
    new Command('rotate-secret')
      .description('Give an endpoint a new signing secret; the old one keeps signing beside it for the overlap (24 h)')
      .argument('<endpoint>', 'its id')
      .addOption(appOption())
      .option('--secret <whsec>', 'bring your own whsec_… secret; one is made otherwise'),
    async (ctx, ep) => {
      const rotated = await ctx.call((c) => c.endpoints.rotateSecret(ctx.flags.app, ep as string, { secret: ctx.flags.secret }));
      if (!ctx.flags.json) said(`endpoint ${rotated.id} signs with a new secret; the old one still signs during the overlap`);
      printRecord(ctx.flags, rotated, fields);
    },
  );

  const holding = (verb: 'pause' | 'resume') =>
    apiAction<AppScoped>(
      new Command(verb)
        .description(
          verb === 'pause'
            ? 'Hold an endpoint’s deliveries: kept pending, not attempted, retries untouched (--disable fails them)'
            : 'Let a paused endpoint’s held deliveries flow again, in publish order for a FIFO endpoint',
        )
        .argument('<endpoint>', 'its id')
        .addOption(appOption()),
      async (ctx, ep) => {
        const changed = await ctx.call((c) => c.endpoints[verb](ctx.flags.app, ep as string));
        if (!ctx.flags.json) said(`endpoint ${changed.id} ${verb === 'pause' ? 'is paused: deliveries held' : 'resumed'}`);
        printRecord(ctx.flags, changed, fields);
      },
    );

  const stats = apiAction<AppScoped>(
    new Command('stats')
      .description('Deliveries by status, and attempts, success rate and latency over the last hour and day')
      .argument('<endpoint>', 'its id')
      .addOption(appOption()),
    async (ctx, ep) => {
      const s = await ctx.call((c) => c.endpoints.stats(ctx.flags.app, ep as string));
      const rate = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
      const ms = (n: number | null) => (n === null ? '—' : `${n} ms`);
      printRecord(ctx.flags, s, () => [
        ['pending', s.deliveries.pending],
        ['succeeded', s.deliveries.succeeded],
        ['failed', s.deliveries.failed],
        ['skipped', s.deliveries.skipped],
        ['failing since', when(s.failingSince)],
        ...(['1h', '24h'] as const).map((w): [string, unknown] => {
          const h = s.windows[w];
          return [
            `last ${w}`,
            `${h.attempts} attempts, ${rate(h.successRate)} ok, p50 ${ms(h.latencyMs.p50)}, p95 ${ms(h.latencyMs.p95)}`,
          ];
        }),
      ]);
    },
  );

  return group(
    'endpoints',
    'Endpoints: the URLs an app’s events are delivered to',
    [list, get, create, update, holding('pause'), holding('resume'), remove, rotate, stats],
    [
      'hookd endpoints create --app acme --url https://example.com/webhooks --events "order.*,payment.completed"',
      'hookd endpoints list --app acme',
      'hookd endpoints pause ep_01J… --app acme',
      'hookd endpoints update ep_01J… --app acme --disable',
      'hookd endpoints rotate-secret ep_01J… --app acme',
      'hookd endpoints stats ep_01J… --app acme',
      'hookd endpoints delete ep_01J… --app acme --yes',
    ],
  );
}
