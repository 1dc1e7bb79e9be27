/** `hookd event-types`: the server's catalog of event types, each with an optional JSON Schema enforced on publish. */
import type { EventType, JsonSchema } from '@hookd/sdk/client';
import { Command } from 'commander';
import { CliError, EXIT } from '../output.js';
import { readJsonData } from '../signed.js';
import {
  type ApiFlags,
  apiAction,
  changes,
  fetchList,
  group,
  type PagingFlags,
  printList,
  printRecord,
  said,
  when,
  withPaging,
} from './common.js';

interface EventTypeFlags extends ApiFlags {
  description?: string;
  schema?: string;
  archive?: boolean;
  unarchive?: boolean;
}

const fields = (type: EventType): [string, unknown][] => [
  ['name', type.name],
  ['description', type.description || '—'],
  ['schema', type.schema ?? 'none: any data'],
  ['archived', type.archived ? `yes, ${when(type.archivedAt)}` : 'no'],
  ['created', when(type.createdAt)],
  ['updated', when(type.updatedAt)],
];

/** --schema: JSON, @file.json or @-; `none` (update only) removes it. */
function schemaOf(text: string | undefined, allowNone: boolean): JsonSchema | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none' && allowNone) return null;
  const schema = readJsonData(text, '--schema');
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new CliError('--schema is not a JSON object', EXIT.usage, 'a JSON Schema, e.g. {"type": "object"} or @schema.json');
  }
  return schema as JsonSchema;
}

export function eventTypesCommand(): Command {
  const list = apiAction<ApiFlags & PagingFlags & { includeArchived?: boolean }>(
    withPaging(new Command('list').description('List event types by name').option('--include-archived', 'archived ones too')),
    async (ctx) => {
      const page = await ctx.call((c) =>
        fetchList(ctx.flags, (p) => c.eventTypes.list({ ...p, includeArchived: ctx.flags.includeArchived })),
      );
      printList(
        ctx.flags,
        page,
        [
          { header: 'name', value: (t) => t.name },
          { header: 'description', value: (t) => t.description || '—', max: 50 },
          { header: 'schema', value: (t) => (t.schema === null ? 'no' : 'yes') },
          {
            header: 'archived',
            value: (t) => (t.archived ? 'yes' : 'no'),
            paint: (p, text, t) => (t.archived ? p.yellow(text) : text),
          },
          { header: 'created', value: (t) => when(t.createdAt) },
        ],
        { noun: 'event types', hint: 'register one: hookd event-types create order.created --description "…"' },
      );
    },
  );

  const get = apiAction(
    new Command('get').description('Show an event type and its schema').argument('<name>', 'e.g. order.created'),
    async (ctx, name) => {
      printRecord(ctx.flags, await ctx.call((c) => c.eventTypes.get(name as string)), fields);
    },
  );

  const create = apiAction<EventTypeFlags>(
    new Command('create')
      .description('Register an event type; with --schema, publishing it checks the data')
      .argument('<name>', 'an exact name such as order.created (no wildcards)')
      .option('--description <text>', 'what it means')
      .option('--schema <json>', 'a JSON Schema (draft-07): JSON, @file.json, or @- for standard input'),
    async (ctx, name) => {
      const { description, schema } = ctx.flags;
      const created = await ctx.call((c) =>
        c.eventTypes.create({ name: name as string, description, schema: schemaOf(schema, false) ?? undefined }),
      );
      if (!ctx.flags.json) said(`registered event type ${created.name}`);
      printRecord(ctx.flags, created, fields);
    },
  );

  const update = apiAction<EventTypeFlags>(
    new Command('update')
      .description('Change an event type’s description or schema, or archive it (event types are never deleted)')
      .argument('<name>', 'e.g. order.created')
      .option('--description <text>', 'a new description')
      .option('--schema <json>', 'a new JSON Schema (JSON, @file.json, @-), or none to remove it')
      .option('--archive', 'refuse publishing it from now on')
      .option('--unarchive', 'allow publishing it again'),
    async (ctx, name) => {
      const { description, schema, archive, unarchive } = ctx.flags;
      if (archive && unarchive) throw new CliError('--archive and --unarchive together', EXIT.usage, 'pass one of them');
      const archived = archive ? true : unarchive ? false : undefined;
      const patch = changes(
        { description, schema: schemaOf(schema, true), archived },
        'pass --description, --schema, --archive or --unarchive',
      );
      const updated = await ctx.call((c) => c.eventTypes.update(name as string, patch));
      if (!ctx.flags.json) said(`updated event type ${updated.name}`);
      printRecord(ctx.flags, updated, fields);
    },
  );

  return group(
    'event-types',
    'Event types, with schemas checked on publish',
    [list, get, create, update],
    [
      `hookd event-types create order.created --description "An order was placed" --schema '{"type": "object", "required": ["id"]}'`,
      'hookd event-types list --include-archived',
      'hookd event-types update order.created --archive',
    ],
    ['Event types are not deleted, so old messages keep their meaning: archive one instead.'],
  );
}
