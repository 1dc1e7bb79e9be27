/** `hookd deliveries`: one per message and endpoint, with every attempt; `retry` sends one again now. */
import type { Attempt, Delivery, DeliveryStatus, DeliveryWithAttempts } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { CliError, EXIT, paintFor, paintStatus } from '../output.js';
import { table } from '../table.js';
import {
  type ApiFlags,
  apiAction,
  fetchList,
  group,
  type PagingFlags,
  printList,
  printRecord,
  said,
  when,
  withPaging,
} from './common.js';
import { appOption } from './endpoints.js';

interface DeliveryFlags extends ApiFlags, PagingFlags {
  app: string;
  status?: DeliveryStatus;
  endpoint?: string;
  message?: string;
}

const fields = (d: Delivery): [string, unknown][] => [
  ['id', d.id],
  ['app', d.appId],
  ['message', d.messageId],
  ['endpoint', d.endpointId],
  ['status', d.status],
  ['attempts', d.attemptCount],
  ['next attempt', when(d.nextAttemptAt)],
  ['last error', d.lastError],
  ['skip reason', d.skipReason],
  ['created', when(d.createdAt)],
  ['updated', when(d.updatedAt)],
];

const paintDeliveryStatus =
  (status: DeliveryStatus) =>
  (text: string, p = paintFor(process.stdout)) =>
    status === 'succeeded'
      ? p.green(text)
      : status === 'failed'
        ? p.red(text)
        : status === 'skipped'
          ? p.dim(text)
          : p.yellow(text);

export function deliveriesCommand(): Command {
  const list = apiAction<DeliveryFlags>(
    withPaging(
      new Command('list')
        .description('List an app’s deliveries, newest first, or one message’s')
        .addOption(appOption())
        .addOption(new Option('--status <status>', 'only these').choices(['pending', 'succeeded', 'failed', 'skipped']))
        .option('--endpoint <id>', 'only to this endpoint')
        .option('--message <id>', 'only this message’s (one per endpoint)'),
    ),
    async (ctx) => {
      const { app, status, endpoint, message } = ctx.flags;
      if (message && (status || endpoint))
        throw new CliError(
          '--message lists every delivery of the message',
          EXIT.usage,
          'leave out --status and --endpoint with it',
        );
      const page = await ctx.call((c) =>
        fetchList(ctx.flags, (p) =>
          message ? c.events.deliveries(app, message, p) : c.deliveries.list(app, { ...p, status, endpoint }),
        ),
      );
      printList(
        ctx.flags,
        page,
        [
          { header: 'id', value: (d) => d.id },
          { header: 'status', value: (d) => d.status, paint: (p, text, d) => paintDeliveryStatus(d.status)(text, p) },
          { header: 'attempts', value: (d) => String(d.attemptCount) },
          { header: 'endpoint', value: (d) => d.endpointId },
          { header: 'message', value: (d) => d.messageId },
          { header: 'created', value: (d) => when(d.createdAt) },
          // A skipped delivery has no error; its reason says why it was held back.
          { header: 'last error', value: (d) => d.lastError ?? (d.skipReason ? `skipped: ${d.skipReason}` : ''), max: 50 },
        ],
        { noun: 'deliveries', hint: 'each published message gets one per endpoint that takes its type' },
      );
    },
  );

  const get = apiAction<DeliveryFlags>(
    new Command('get')
      .description('Show a delivery with every attempt')
      .argument('<delivery>', 'its id (dlv_…)')
      .addOption(appOption()),
    async (ctx, dlv) => {
      const delivery: DeliveryWithAttempts = await ctx.call((c) => c.deliveries.get(ctx.flags.app, dlv as string));
      printRecord(ctx.flags, delivery, fields);
      if (ctx.flags.json || delivery.attempts.length === 0) return;
      const p = paintFor(process.stdout);
      process.stdout.write(
        `\n${table<Attempt>(
          p,
          [
            { header: '#', value: (a) => String(a.number) },
            { header: 'started', value: (a) => when(a.startedAt) },
            {
              header: 'status',
              value: (a) => (a.responseStatus === null ? '—' : String(a.responseStatus)),
              paint: (p, text, a) => paintStatus(p, a.responseStatus, text),
            },
            { header: 'ms', value: (a) => String(a.durationMs) },
            { header: 'error', value: (a) => (a.error ? `${a.error.code}: ${a.error.message}` : ''), max: 70 },
          ],
          delivery.attempts,
          process.stdout.isTTY === true,
          process.stdout.columns,
        )}`,
      );
    },
  );

  const retry = apiAction<DeliveryFlags>(
    new Command('retry')
      .description('Attempt a delivery again now, with a fresh retry schedule')
      .argument('<delivery>', 'its id (dlv_…)')
      .addOption(appOption()),
    async (ctx, dlv) => {
      const delivery = await ctx.call((c) => c.deliveries.retry(ctx.flags.app, dlv as string));
      if (!ctx.flags.json) said(`delivery ${delivery.id} is due now; follow it with hookd tail --app ${ctx.flags.app}`);
      printRecord(ctx.flags, delivery, fields);
    },
  );

  return group(
    'deliveries',
    'Deliveries and their attempts; retry one',
    [list, get, retry],
    [
      'hookd deliveries list --app acme --status failed',
      'hookd deliveries get dlv_01J… --app acme',
      'hookd deliveries retry dlv_01J… --app acme',
      'hookd replay --app acme --since 2h   # every failed delivery since then',
    ],
  );
}
