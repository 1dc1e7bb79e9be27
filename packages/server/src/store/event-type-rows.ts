/** Row ↔ record mapping for event types, the same in both stores: the schema is kept as JSON text, as given. */
import type { EventType } from '../domain/index.js';
import type { Page } from './admin-store.js';

export interface EventTypeRow {
  name: string;
  description: string;
  json_schema: string | null;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export const toEventType = (r: EventTypeRow): EventType => ({
  name: r.name,
  description: r.description,
  schema: r.json_schema === null ? null : (JSON.parse(r.json_schema) as Record<string, unknown>),
  archivedAt: r.archived_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const schemaText = (schema: Record<string, unknown> | null): string | null =>
  schema === null ? null : JSON.stringify(schema);

/** Turns `limit + 1` rows, in name order, into a page whose cursor is the last name. */
export function toEventTypePage(rows: EventTypeRow[], limit: number): Page<EventType> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { data: kept.map(toEventType), nextCursor: more ? (kept[kept.length - 1]?.name ?? null) : null };
}
