/** The event-type catalog: global to the instance, optional, and enforced on publish when a type has a schema. */
import type { FastifyInstance } from 'fastify';
import { eventTypeChecks } from '../../actions/index.js';
import { auditChanges, auditEntry, isEventTypeName } from '../../domain/index.js';
import { StoreConflictError } from '../../store/index.js';
import { requesterOf } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { presentEventType } from '../present.js';
import { commonErrors, NO_NUL, pageOf, pageQuery, ref } from '../schemas.js';

const tags = ['event types'];
const name = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  description: 'Dot-separated parts of letters, digits, `_` and `-`, e.g. `payment.completed`; no wildcards.',
} as const;
const description = { type: 'string', maxLength: 1024, pattern: NO_NUL } as const;
const nameParams = { type: 'object', properties: { name }, required: ['name'] } as const;

type JsonSchema = Record<string, unknown>;

function checkName(value: string): void {
  if (!isEventTypeName(value)) throw new ApiError('invalid_event_type', `${JSON.stringify(value)} is not an event type name`);
}

export function eventTypeRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const checks = eventTypeChecks(ctx);

  async function load(typeName: string) {
    const eventType = await ctx.store.findEventType(typeName);
    if (!eventType) throw new ApiError('event_type_not_found', `no event type is named ${JSON.stringify(typeName)}`);
    return eventType;
  }

  api.post<{ Body: { name: string; description?: string; schema?: JsonSchema } }>(
    '/v1/event-types',
    {
      schema: {
        tags,
        summary: 'Register an event type, with a JSON Schema that published data must match',
        description:
          'Registration is optional: types nobody registered publish unchecked. The schema (JSON Schema draft-07) ' +
          'is compiled here; an invalid one is refused with `validation_failed`.',
        body: {
          type: 'object',
          properties: { name, description, schema: { type: 'object', description: 'A JSON Schema (draft-07).' } },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: ref('EventType'), 409: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const { name: typeName, description: text = '', schema = null } = request.body;
      checkName(typeName);
      if (schema !== null) checks.compile(schema);
      const now = ctx.clock();
      const eventType = { name: typeName, description: text, schema, archivedAt: null, createdAt: now, updatedAt: now };
      const changes = auditChanges(null, eventType);
      const audit = auditEntry(
        requesterOf(request),
        { action: 'event_type.created', appId: null, target: typeName, changes },
        now,
      );
      try {
        await ctx.store.createEventType(eventType, audit);
      } catch (error) {
        if (error instanceof StoreConflictError) {
          throw new ApiError('event_type_exists', `an event type named ${JSON.stringify(typeName)} exists already`);
        }
        throw error;
      }
      checks.forget(typeName);
      return reply.code(201).send(presentEventType(eventType));
    },
  );

  api.get<{ Querystring: { limit: number; after?: string; includeArchived: boolean } }>(
    '/v1/event-types',
    {
      schema: {
        tags,
        summary: 'List event types by name',
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            after: { type: 'string', maxLength: 256, description: 'The `nextCursor` of the previous page.' },
            includeArchived: { type: 'boolean', default: false, description: 'List archived types too.' },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf('EventType'), ...commonErrors },
      },
    },
    async (request) => {
      const page = await ctx.store.listEventTypes(request.query);
      return { data: page.data.map(presentEventType), nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: { name: string } }>(
    '/v1/event-types/:name',
    {
      schema: { tags, summary: 'Get an event type', params: nameParams, response: { 200: ref('EventType'), ...commonErrors } },
    },
    async (request) => presentEventType(await load(request.params.name)),
  );

  api.patch<{ Params: { name: string }; Body: { description?: string; schema?: JsonSchema | null; archived?: boolean } }>(
    '/v1/event-types/:name',
    {
      schema: {
        tags,
        summary: 'Change an event type’s description or schema, or archive or restore it',
        description: '`schema: null` removes the schema. Other API processes on the same database apply a change within 5 s.',
        params: nameParams,
        body: {
          type: 'object',
          properties: {
            description,
            schema: { type: ['object', 'null'], description: 'A JSON Schema (draft-07), or null to accept any data.' },
            archived: { type: 'boolean', description: 'true refuses publishing the type; false allows it again.' },
          },
          additionalProperties: false,
        },
        response: { 200: ref('EventType'), ...commonErrors },
      },
    },
    async (request) => {
      const { schema } = request.body;
      if (schema) checks.compile(schema);
      const before = await ctx.store.findEventType(request.params.name);
      const now = ctx.clock();
      const changes = auditChanges(before && { ...before }, { ...request.body });
      const facts = { action: 'event_type.updated', appId: null, target: request.params.name, changes };
      const updated = await ctx.store.updateEventType(
        request.params.name,
        request.body,
        now,
        auditEntry(requesterOf(request), facts, now),
      );
      if (!updated) throw new ApiError('event_type_not_found', `no event type is named ${JSON.stringify(request.params.name)}`);
      checks.forget(updated.name);
      return presentEventType(updated);
    },
  );
}
