/** The event-type catalog: one row per name, archived in place rather than deleted. */
import type { AuditEntry, EventType } from '../../domain/index.js';
import type { EventTypePatch, EventTypeQuery, Page } from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import { type EventTypeRow, schemaText, toEventType, toEventTypePage } from '../event-type-rows.js';
import type { Audited } from './audit-log.js';
import type { Queryable } from './pool.js';

const INSERT = `
  INSERT INTO event_types (name, description, json_schema, archived_at, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const BY_NAME = 'SELECT * FROM event_types WHERE name = $1';
const PAGE = `
  SELECT * FROM event_types
  WHERE ($1::text IS NULL OR name > $1) AND ($2 OR archived_at IS NULL)
  ORDER BY name LIMIT $3`;
// Each change is applied only when asked for: $3 says whether to set the schema, since null is a value for it.
const UPDATE = `
  UPDATE event_types SET
    description = coalesce($2, description),
    json_schema = CASE WHEN $3 THEN $4 ELSE json_schema END,
    archived_at = CASE WHEN $5::boolean IS NULL THEN archived_at WHEN $5 THEN coalesce(archived_at, $6) ELSE NULL END,
    updated_at = $6
  WHERE name = $1
  RETURNING *`;

export function eventTypeQueries(db: Queryable, audited: Audited) {
  return {
    async createEventType(eventType: EventType, audit?: AuditEntry): Promise<EventType> {
      const { name, description, schema, archivedAt, createdAt, updatedAt } = eventType;
      return audited(audit, async (client) => {
        try {
          await client.query(INSERT, [name, description, schemaText(schema), archivedAt, createdAt, updatedAt]);
        } catch (error) {
          const { code, constraint } = error as { code?: string; constraint?: string };
          if (code === '23505' && constraint === 'event_types_pkey') throw new StoreConflictError('name');
          throw error;
        }
        return eventType;
      });
    },
    async findEventType(name: string): Promise<EventType | null> {
      const { rows } = await db.query<EventTypeRow>(BY_NAME, [name]);
      return rows[0] ? toEventType(rows[0]) : null;
    },
    async listEventTypes(query: EventTypeQuery): Promise<Page<EventType>> {
      const { rows } = await db.query<EventTypeRow>(PAGE, [query.after ?? null, query.includeArchived ?? false, query.limit + 1]);
      return toEventTypePage(rows, query.limit);
    },
    async updateEventType(name: string, patch: EventTypePatch, now: number, audit?: AuditEntry): Promise<EventType | null> {
      const values = [
        name,
        patch.description ?? null,
        patch.schema !== undefined,
        patch.schema === undefined ? null : schemaText(patch.schema),
        patch.archived ?? null,
        now,
      ];
      return audited(audit, async (client) => {
        const { rows } = await client.query<EventTypeRow>(UPDATE, values);
        return rows[0] ? toEventType(rows[0]) : null;
      });
    },
  };
}
