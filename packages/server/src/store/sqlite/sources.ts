/** Sources (inbound webhooks): their settings and refusal counts, and the stream of what they ingested. */
import type Database from 'better-sqlite3';
import type { App, AuditEntry, Endpoint, Message, Source, SourceRefusal } from '../../domain/index.js';
import {
  type NewApp,
  type NewSource,
  type Page,
  type PageQuery,
  RECENT_REFUSALS_KEPT,
  type SourcePatch,
  type SourceRefusalCount,
} from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import { type SourceRow, sourceColumns, toSource } from '../source-rows.js';
import type { Audited } from './audit-log.js';
import { type MessageRow, toMessage, toPage } from './rows.js';

/** The inserts of the app and endpoint queries, which a source's creation runs in its own transaction. */
export interface SourceParts {
  insertApp(app: NewApp): App;
  insertEndpoint(endpoint: Endpoint): void;
}

export function sourceQueries(db: Database.Database, parts: SourceParts, audited: Audited) {
  const insert = db.prepare(`
    INSERT INTO sources (id, name, app_id, scheme, secrets, allow_ips, rate_per_second, rate_burst, json_schema, forward_headers,
      created_at, updated_at)
    VALUES (@id, @name, @appId, @scheme, @secrets, @allowIps, @ratePerSecond, @rateBurst, @schema, @forwardHeaders,
      @createdAt, @updatedAt)`);
  const byIdOrName = db.prepare<[string, string], SourceRow>('SELECT * FROM sources WHERE id = ? OR name = ? LIMIT 1');
  const page = db.prepare<{ after: string | null; n: number }, SourceRow>(
    'SELECT * FROM sources WHERE (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT @n',
  );
  // Each field changes only when asked for (`set*`), since null is a value for the rate limit and the schema.
  const update = db.prepare<
    {
      id: string;
      secrets: string | null;
      allowIps: string | null;
      setRate: number;
      ratePerSecond: number | null;
      rateBurst: number | null;
      setSchema: number;
      schema: string | null;
      forwardHeaders: string | null;
      now: number;
    },
    SourceRow
  >(`
    UPDATE sources SET
      secrets = coalesce(@secrets, secrets),
      allow_ips = coalesce(@allowIps, allow_ips),
      rate_per_second = CASE WHEN @setRate = 1 THEN @ratePerSecond ELSE rate_per_second END,
      rate_burst = CASE WHEN @setRate = 1 THEN @rateBurst ELSE rate_burst END,
      json_schema = CASE WHEN @setSchema = 1 THEN @schema ELSE json_schema END,
      forward_headers = coalesce(@forwardHeaders, forward_headers),
      updated_at = @now
    WHERE id = @id
    RETURNING *`);
  const refuse = db.prepare(`
    UPDATE sources SET refusals = refusals + @count, last_refusal_code = @code, last_refusal_message = @message, last_refusal_at = @at
    WHERE id = @id`);
  // A source deleted meanwhile keeps nothing: its refusals are skipped, as its count is.
  const keepRefusal = db.prepare(`
    INSERT INTO source_refusals (source_id, code, message, at)
    SELECT @id, @code, @message, @at WHERE EXISTS (SELECT 1 FROM sources WHERE id = @id)`);
  const trimRefusals = db.prepare(`
    DELETE FROM source_refusals WHERE source_id = @id AND rowid NOT IN (
      SELECT rowid FROM source_refusals WHERE source_id = @id ORDER BY at DESC, rowid DESC LIMIT @kept)`);
  const latestRefusals = db.prepare<[string, number], SourceRefusal>(
    'SELECT code, message, at FROM source_refusals WHERE source_id = ? ORDER BY at DESC, rowid DESC LIMIT ?',
  );
  const refuseAll = db.transaction((counts: readonly SourceRefusalCount[]) => {
    for (const c of counts) {
      refuse.run({ id: c.sourceId, count: c.count, ...c.last });
      for (const r of (c.recent ?? [c.last]).slice(-RECENT_REFUSALS_KEPT)) keepRefusal.run({ id: c.sourceId, ...r });
      trimRefusals.run({ id: c.sourceId, kept: RECENT_REFUSALS_KEPT });
    }
  });
  const insertSource = (source: Source) => {
    try {
      insert.run(sourceColumns(source));
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StoreConflictError('name');
      throw error;
    }
  };
  const createWhole = db.transaction(({ app, destinations, source }: NewSource) => {
    const made = parts.insertApp(app);
    for (const endpoint of destinations) parts.insertEndpoint(endpoint);
    insertSource(source);
    return { app: made, destinations, source };
  });
  const after = db.prepare<{ appId: string; after: string | null; until: number; n: number }, MessageRow>(`
    SELECT * FROM messages
    WHERE app_id = @appId AND (@after IS NULL OR id > @after) AND created_at <= @until
    ORDER BY id LIMIT @n`);

  return {
    async createSource(source: Source, audit?: AuditEntry): Promise<Source> {
      return audited(audit, () => {
        insertSource(source);
        return source;
      });
    },
    async createSourceWithDestinations({ audit, ...input }: NewSource) {
      return audited(audit, () => createWhole.immediate(input));
    },
    async findSource(idOrName: string): Promise<Source | null> {
      const row = byIdOrName.get(idOrName, idOrName);
      return row ? toSource(row) : null;
    },
    async listSources(query: PageQuery): Promise<Page<Source>> {
      return toPage(page.all({ after: query.after ?? null, n: query.limit + 1 }), query.limit, toSource);
    },
    async updateSource(id: string, patch: SourcePatch, now: number, audit?: AuditEntry): Promise<Source | null> {
      const values = {
        id,
        secrets: patch.secrets === undefined ? null : JSON.stringify(patch.secrets),
        allowIps: patch.allowIps === undefined ? null : JSON.stringify(patch.allowIps),
        setRate: patch.rateLimit === undefined ? 0 : 1,
        ratePerSecond: patch.rateLimit?.perSecond ?? null,
        rateBurst: patch.rateLimit?.burst ?? null,
        setSchema: patch.schema === undefined ? 0 : 1,
        schema: patch.schema ? JSON.stringify(patch.schema) : null,
        forwardHeaders: patch.forwardHeaders === undefined ? null : JSON.stringify(patch.forwardHeaders),
        now,
      };
      return audited(audit, () => {
        const row = update.get(values);
        return row ? toSource(row) : null;
      });
    },
    async recordSourceRefusal(id: string, refusal: SourceRefusal): Promise<void> {
      refuseAll([{ sourceId: id, count: 1, last: refusal }]);
    },
    async recordSourceRefusals(counts: readonly SourceRefusalCount[]): Promise<void> {
      refuseAll(counts);
    },
    async listSourceRefusals(sourceId: string, limit: number): Promise<SourceRefusal[]> {
      return latestRefusals.all(sourceId, limit);
    },
    async messagesAfter(appId: string, afterId: string | null, until: number, limit: number): Promise<Message[]> {
      return after.all({ appId, after: afterId, until, n: limit }).map(toMessage);
    },
  };
}
