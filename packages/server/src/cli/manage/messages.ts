/** `hookd messages`: events an app published; `send` publishes one, to every endpoint subscribed to its type. */
import type { Message } from '@hookd/sdk/client';
import { Command } from 'commander';
import { parseSince, printJson } from '../output.js';
import { readJsonData } from '../signed.js';
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

interface MessageFlags extends ApiFlags, PagingFlags {
  app: string;
  type?: string;
  since?: string;
  until?: string;
  data?: string;
  idempotencyKey?: string;
}

const fields = (m: Message): [string, unknown][] => [
  ['id', m.id],
  ['app', m.appId],
  ['type', m.type],
  ['timestamp', when(m.timestamp)],
  ['idempotency key', m.idempotencyKey],
  ['data', m.purged ? 'purged by retention' : m.data],
];

export function messagesCommand(): Command {
  const list = apiAction<MessageFlags>(
    withPaging(
      new Command('list')
        .description('List an app’s messages, newest first')
        .addOption(appOption())
        .option('--type <type>', 'only this event type')
        .option('--since <time>', 'only those published since then: 2h, 30m, 1d back, or an ISO time')
        .option('--until <time>', 'only those published before then: 2h, 30m, 1d back, or an ISO time'),
    ),
    async (ctx) => {
      const { app, type } = ctx.flags;
      const since = ctx.flags.since === undefined ? undefined : parseSince(ctx.flags.since, Date.now(), '--since').toISOString();
      const until = ctx.flags.until === undefined ? undefined : parseSince(ctx.flags.until, Date.now(), '--until').toISOString();
      const page = await ctx.call((c) => fetchList(ctx.flags, (p) => c.events.list(app, { ...p, type, since, until })));
      printList(
        ctx.flags,
        page,
        [
          { header: 'id', value: (m) => m.id },
          { header: 'type', value: (m) => m.type, max: 40 },
          { header: 'timestamp', value: (m) => when(m.timestamp) },
          { header: 'data', value: (m) => (m.purged ? 'purged' : JSON.stringify(m.data)), max: 40 },
        ],
        { noun: 'messages', hint: `send one: hookd messages send --app ${app} --type order.created --data '{}'` },
      );
    },
  );

  const get = apiAction<MessageFlags>(
    new Command('get').description('Show a message and its data').argument('<message>', 'its id (msg_…)').addOption(appOption()),
    async (ctx, msg) => {
      printRecord(ctx.flags, await ctx.call((c) => c.events.get(ctx.flags.app, msg as string)), fields);
    },
  );

  const send = apiAction<MessageFlags>(
    new Command('send')
      .alias('create')
      .description('Publish an event: hookd delivers it, signed, to each of the app’s endpoints that takes its type')
      .addOption(appOption())
      .requiredOption('--type <type>', 'the event type, e.g. order.created')
      .option('--data <json>', 'the event data: JSON, @file.json, or @- for standard input', '{}')
      .option('--idempotency-key <key>', 'the same key again publishes nothing and answers with the first message'),
    async (ctx) => {
      const { app, type, data, idempotencyKey } = ctx.flags;
      const body = { type: type as string, data: readJsonData(data ?? '{}') };
      const published = await ctx.call((c) => c.events.publish(app, body, { idempotencyKey }));
      if (ctx.flags.json) return printJson(published);
      said(
        published.duplicate
          ? `already published as ${published.id} (same idempotency key): nothing new sent`
          : `published ${published.id} (${published.type}) to ${published.deliveries} endpoint${published.deliveries === 1 ? '' : 's'}` +
              (published.skipped > 0 ? `, skipped by ${published.skipped} (filter)` : ''),
      );
      process.stdout.write(`${published.id}\n`);
    },
  );

  return group(
    'messages',
    'Publish events to an app; look up what was sent',
    [list, get, send],
    [
      `hookd messages send --app acme --type order.created --data '{"id": 1234}'`,
      'hookd messages list --app acme --type order.created',
      'hookd messages get msg_01J… --app acme',
      'hookd deliveries list --app acme --message msg_01J…   # where it went',
    ],
  );
}
