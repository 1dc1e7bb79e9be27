/** Sources (inbound webhooks): their settings and refusal counts, and the stream of what they ingested. */
import type pg from 'pg';
import type { AuditEntry, Message, Source, SourceRefusal } from '../../domain/index.js';
import {
  type NewSource,
  type Page,
  type PageQuery,
  RECENT_REFUSALS_KEPT,
  type SourcePatch,
  type SourceRefusalCount,
} from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import { type SourceRow, sourceColumns, toSource } from '../source-rows.js';
import { insertApp } from './apps.js';
import type { Audited, AuditedTransaction } from './audit-log.js';
import { insertEndpoint } from './endpoints.js';
import type { Queryable } from './pool.js';
import { type MessageRow, toMessage, toPage } from './rows.js';

const INSERT = `
  INSERT INTO sources (id, name, app_id, scheme, secrets, allow_ips, rate_per_second, rate_burst, json_schema, forward_headers,
    created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;
const BY_ID_OR_NAME = 'SELECT * FROM sources WHERE id = $1 OR name = $1 LIMIT 1';
const PAGE = 'SELECT * FROM sources WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2';
// Each field changes only when asked for ($4, $7), since null is a value for the rate limit and the schema.
const UPDATE = `
  UPDATE sources SET
    secrets = coalesce($2, secrets),
    allow_ips = coalesce($3, allow_ips),
    rate_per_second = CASE WHEN $4 THEN $5::double precision ELSE rate_per_second END,
    rate_burst = CASE WHEN $4 THEN $6::integer ELSE rate_burst END,
    json_schema = CASE WHEN $7 THEN $8::text ELSE json_schema END,
    forward_headers = coalesce($10, forward_headers),
    updated_at = $9
  WHERE id = $1
  RETURNING *`;
const REFUSE = `
  UPDATE sources SET refusals = refusals + 1, last_refusal_code = $2, last_refusal_message = $3, last_refusal_at = $4
  WHERE id = $1`;
// One statement for every source counted since the last write.
const REFUSE_ALL = `
  UPDATE sources AS s SET refusals = s.refusals + c.n, last_refusal_code = c.code, last_refusal_message = c.message,
    last_refusal_at = c.at
  FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::bigint[]) AS c(id, n, code, message, at)
  WHERE s.id = c.id`;
// Rows of sources deleted meanwhile are skipped by the join, as their counts are.
const KEEP_REFUSALS = `
  INSERT INTO source_refusals (source_id, code, message, at)
  SELECT r.id, r.code, r.message, r.at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS r(id, code, message, at) JOIN sources s ON s.id = r.id`;
const TRIM_REFUSALS = `
  DELETE FROM source_refusals d USING (
    SELECT ctid AS row, row_number() OVER (PARTITION BY source_id ORDER BY at DESC) AS n
    FROM source_refusals WHERE source_id = ANY($1::text[])
  ) ranked
  WHERE d.ctid = ranked.row AND ranked.n > $2`;
const LATEST_REFUSALS = 'SELECT code, message, at FROM source_refusals WHERE source_id = $1 ORDER BY at DESC LIMIT $2';
const AFTER = `
  SELECT * FROM messages
  WHERE app_id = $1 AND ($2::text IS NULL OR id > $2) AND created_at <= $3
  ORDER BY id LIMIT $4`;

async function insertSource(db: Queryable, source: Source): Promise<Source> {
  const c = sourceColumns(source);
  try {
    await db.query(INSERT, [
      c.id,
      c.name,
      c.appId,
      c.scheme,
      c.secrets,
      c.allowIps,
      c.ratePerSecond,
      c.rateBurst,
      c.schema,
      c.forwardHeaders,
      c.createdAt,
      c.updatedAt,
    ]);
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'sources_name_unique') throw new StoreConflictError('name');
    throw error;
  }
  return source;
}

export function sourceQueries(db: pg.Pool, audited: Audited, transaction: AuditedTransaction) {
  /** Keeps each source's refusals and trims it to its latest RECENT_REFUSALS_KEPT. */
  async function keepRefusals(counts: readonly SourceRefusalCount[]): Promise<void> {
    const rows = counts.flatMap((c) =>
      (c.recent ?? [c.last]).slice(-RECENT_REFUSALS_KEPT).map((r) => ({ id: c.sourceId, ...r })),
    );
    if (rows.length === 0) return;
    await db.query(KEEP_REFUSALS, [
      rows.map((r) => r.id),
      rows.map((r) => r.code),
      rows.map((r) => r.message),
      rows.map((r) => r.at),
    ]);
    await db.query(TRIM_REFUSALS, [[...new Set(rows.map((r) => r.id))], RECENT_REFUSALS_KEPT]);
  }
  return {
    async createSource(source: Source, audit?: AuditEntry): Promise<Source> {
      return audited(audit, (client) => insertSource(client, source));
    },
    async createSourceWithDestinations({ app, destinations, source, audit }: NewSource) {
      return transaction(audit, async (client) => {
        const made = await insertApp(client, app);
        for (const endpoint of destinations) await insertEndpoint(client, endpoint);
        return { app: made, destinations, source: await insertSource(client, source) };
      });
    },
    async findSource(idOrName: string): Promise<Source | null> {
      const { rows } = await db.query<SourceRow>(BY_ID_OR_NAME, [idOrName]);
      return rows[0] ? toSource(rows[0]) : null;
    },
    async listSources(query: PageQuery): Promise<Page<Source>> {
      const { rows } = await db.query<SourceRow>(PAGE, [query.after ?? null, query.limit + 1]);
      return toPage(rows, query.limit, toSource);
    },
    async updateSource(id: string, patch: SourcePatch, now: number, audit?: AuditEntry): Promise<Source | null> {
      const values = [
        id,
        patch.secrets === undefined ? null : JSON.stringify(patch.secrets),
        patch.allowIps === undefined ? null : JSON.stringify(patch.allowIps),
        patch.rateLimit !== undefined,
        patch.rateLimit?.perSecond ?? null,
        patch.rateLimit?.burst ?? null,
        patch.schema !== undefined,
        patch.schema ? JSON.stringify(patch.schema) : null,
        now,
        patch.forwardHeaders === undefined ? null : JSON.stringify(patch.forwardHeaders),
      ];
      return audited(audit, async (client) => {
        const { rows } = await client.query<SourceRow>(UPDATE, values);
        return rows[0] ? toSource(rows[0]) : null;
      });
    },
    async recordSourceRefusal(id: string, refusal: SourceRefusal): Promise<void> {
      await db.query(REFUSE, [id, refusal.code, refusal.message, refusal.at]);
      await keepRefusals([{ sourceId: id, count: 1, last: refusal }]);
    },
    async recordSourceRefusals(counts: readonly SourceRefusalCount[]): Promise<void> {
      if (counts.length === 0) return;
      await db.query(REFUSE_ALL, [
        counts.map((c) => c.sourceId),
        counts.map((c) => c.count),
        counts.map((c) => c.last.code),
        counts.map((c) => c.last.message),
        counts.map((c) => c.last.at),
      ]);
      await keepRefusals(counts);
    },
    async listSourceRefusals(sourceId: string, limit: number): Promise<SourceRefusal[]> {
      const { rows } = await db.query<{ code: string; message: string; at: string | number }>(LATEST_REFUSALS, [sourceId, limit]);
      return rows.map((r) => ({ code: r.code, message: r.message, at: Number(r.at) }));
    },
    async messagesAfter(appId: string, after: string | null, until: number, limit: number): Promise<Message[]> {
      const { rows } = await db.query<MessageRow>(AFTER, [appId, after, until, limit]);
      return rows.map(toMessage);
    },
  };
}
