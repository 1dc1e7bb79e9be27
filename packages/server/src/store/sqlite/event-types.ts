/** The event-type catalog: one row per name, archived in place rather than deleted. */
import type Database from 'better-sqlite3';
import type { AuditEntry, EventType } from '../../domain/index.js';
import type { EventTypePatch, EventTypeQuery, Page } from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import { type EventTypeRow, schemaText, toEventType, toEventTypePage } from '../event-type-rows.js';
import type { Audited } from './audit-log.js';

export function eventTypeQueries(db: Database.Database, audited: Audited) {
  const insert = db.prepare(
    `INSERT INTO event_types (name, description, json_schema, archived_at, created_at, updated_at)
     VALUES (@name, @description, @schema, @archivedAt, @createdAt, @updatedAt)`,
  );
  const byName = db.prepare<[string], EventTypeRow>('SELECT * FROM event_types WHERE name = ?');
  const page = db.prepare<{ after: string | null; all: number; n: number }, EventTypeRow>(
    `SELECT * FROM event_types
     WHERE (@after IS NULL OR name > @after) AND (@all = 1 OR archived_at IS NULL)
     ORDER BY name LIMIT @n`,
  );
  // Each change is applied only when asked for: `set*` says so, since null is a value for the schema.
  const update = db.prepare<
    { name: string; description: string | null; setSchema: number; schema: string | null; archive: number | null; now: number },
    EventTypeRow
  >(
    `UPDATE event_types SET
       description = coalesce(@description, description),
       json_schema = CASE WHEN @setSchema = 1 THEN @schema ELSE json_schema END,
       archived_at = CASE WHEN @archive IS NULL THEN archived_at WHEN @archive = 1 THEN coalesce(archived_at, @now) ELSE NULL END,
       updated_at = @now
     WHERE name = @name
     RETURNING *`,
  );

  return {
    async createEventType(eventType: EventType, audit?: AuditEntry): Promise<EventType> {
      return audited(audit, () => {
        try {
          insert.run({ ...eventType, schema: schemaText(eventType.schema) });
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreConflictError('name');
          throw error;
        }
        return eventType;
      });
    },
    async findEventType(name: string): Promise<EventType | null> {
      const row = byName.get(name);
      return row ? toEventType(row) : null;
    },
    async listEventTypes(query: EventTypeQuery): Promise<Page<EventType>> {
      const rows = page.all({ after: query.after ?? null, all: query.includeArchived ? 1 : 0, n: query.limit + 1 });
      return toEventTypePage(rows, query.limit);
    },
    async updateEventType(name: string, patch: EventTypePatch, now: number, audit?: AuditEntry): Promise<EventType | null> {
      const values = {
        name,
        description: patch.description ?? null,
        setSchema: patch.schema === undefined ? 0 : 1,
        schema: patch.schema === undefined ? null : schemaText(patch.schema),
        archive: patch.archived === undefined ? null : patch.archived ? 1 : 0,
        now,
      };
      return audited(audit, () => {
        const row = update.get(values);
        return row ? toEventType(row) : null;
      });
    },
  };
}
