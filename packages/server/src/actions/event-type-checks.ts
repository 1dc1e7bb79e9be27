/**
 * What publishing checks against the event-type catalog: an archived type is refused, and `data` must match the
 * type's JSON Schema. Registration is optional: a type nobody registered publishes unchecked.
 *
 * Lookups and compiled validators are cached per type name for CACHE_TTL_MS, so a publish rarely costs a store
 * read. This process forgets a name at once when it creates or changes it; other processes sharing a PostgreSQL
 * database see the change within CACHE_TTL_MS.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileJsonSchema, TtlCache } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { ApiError, type ErrorDetail } from './errors.js';

const CACHE_TTL_MS = 5_000;
/** Publishing random type names must not grow the cache without end. */
const MAX_CACHED = 10_000;
/** Enough to fix a payload; a huge array failing everywhere does not make a huge answer. */
const MAX_DETAILS = 20;

/** Null when no event type has this name: anything may be published. */
type Found = { archived: boolean; validate: ValidateFunction | null } | null;

export interface EventTypeChecks {
  /** Compiles a schema given at creation or in a patch; throws `validation_failed` with ajv's message if it is invalid. */
  compile(schema: Record<string, unknown>): ValidateFunction;
  /** Drops what is cached for a name, after it was created or changed. */
  forget(name: string): void;
  /** Throws `event_type_archived` or `schema_mismatch` (with details) when `data` may not be published as `type`. */
  checkPublish(type: string, data: unknown): Promise<void>;
}

const perContext = new WeakMap<object, EventTypeChecks>();

/** One cache per API: the event-type routes and the publish route share it through the context they are given. */
export function eventTypeChecks(ctx: { store: Pick<AdminStore, 'findEventType'>; clock: () => number }): EventTypeChecks {
  let checks = perContext.get(ctx);
  if (!checks) {
    checks = createEventTypeChecks(ctx.store, ctx.clock);
    perContext.set(ctx, checks);
  }
  return checks;
}

export function createEventTypeChecks(store: Pick<AdminStore, 'findEventType'>, clock: () => number): EventTypeChecks {
  const cache = new TtlCache<string, Found>(CACHE_TTL_MS, MAX_CACHED, clock);

  function compile(schema: Record<string, unknown>): ValidateFunction {
    try {
      return compileJsonSchema(schema);
    } catch (error) {
      throw new ApiError('validation_failed', `body/schema is not a valid JSON Schema: ${(error as Error).message}`);
    }
  }

  function lookUp(type: string): Promise<Found> {
    return cache.get(type, async () => {
      const eventType = await store.findEventType(type);
      return (
        eventType && {
          archived: eventType.archivedAt !== null,
          validate: eventType.schema === null ? null : compile(eventType.schema),
        }
      );
    });
  }

  return {
    compile,
    forget: (name) => cache.delete(name),
    async checkPublish(type, data) {
      const found = await lookUp(type);
      if (!found) return;
      if (found.archived) throw new ApiError('event_type_archived', `the event type ${JSON.stringify(type)} is archived`);
      if (!found.validate || found.validate(data)) return;
      const details = (found.validate.errors ?? []).slice(0, MAX_DETAILS).map(toDetail);
      const first = details[0];
      throw new ApiError(
        'schema_mismatch',
        `data does not match the schema of event type ${JSON.stringify(type)}${first ? `: ${first.path} ${first.message}` : ''}`,
        details,
      );
    },
  };
}

/** A JSON Pointer into the request body (`/data/order/amount`), naming the missing or extra property itself. */
function toDetail(error: ErrorObject): ErrorDetail {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const property = params.missingProperty ?? params.additionalProperty;
  const path = `/data${error.instancePath}${property === undefined ? '' : `/${escapePointer(property)}`}`;
  return { path, message: error.message ?? 'is invalid' };
}

const escapePointer = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');
