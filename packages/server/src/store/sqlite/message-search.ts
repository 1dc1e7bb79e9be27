/**
 * Message search on SQLite: every criterion as SQL, content criteria through JSON functions. A content path the
 * operator declared (HOOKD_SEARCH_FIELDS) has an expression index, the same expression the query uses; any other
 * path is searched over the app's newest UNINDEXED_SCAN_LIMIT messages only, and the page says so.
 */
import type Database from 'better-sqlite3';
import { type ContentCriterion, pathText } from '../../domain/index.js';
import {
  type MessageFilter,
  type MessagePage,
  type MessagePageQuery,
  type SearchPlan,
  UNINDEXED_SCAN_LIMIT,
} from '../admin-store.js';
import { type MessageRow, toMessagePage } from './rows.js';

const INDEX_PREFIX = 'messages_search:';

/** Paths are letters, digits and _ (domain/message-search.ts), so they are safe inside a JSON path and a name. */
function jsonPath(path: readonly string[]): string {
  if (!path.every((key) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key))) throw new Error(`not a search path: ${path.join('.')}`);
  return `$.${path.join('.')}`;
}

/** The value at the path, null when the payload is not JSON (a raw inbound body, a purged payload). */
const extract = (path: readonly string[]): string =>
  `(CASE WHEN json_valid(payload) THEN json_extract(payload, '${jsonPath(path)}') END)`;

/** json_extract answers 1 and 0 for true and false, and SQL NULL for JSON null: those need the JSON type too. */
function contentClause(criterion: ContentCriterion, name: string): string {
  const { path, value } = criterion;
  const type = `json_type(CASE WHEN json_valid(payload) THEN payload END, '${jsonPath(path)}')`;
  if (value === null) return `${type} = 'null'`;
  if (typeof value === 'boolean') return `${extract(path)} = ${value ? 1 : 0} AND ${type} = '${value}'`;
  return `${extract(path)} = @${name}`;
}

export function messageSearch(db: Database.Database) {
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      // Content paths are part of the text: keep the cache bounded whatever paths are searched.
      if (statements.size >= 256) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const declaredIndexes = db.prepare<[], { name: string }>(
    `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'
       AND substr(name, 1, ${INDEX_PREFIX.length}) = '${INDEX_PREFIX}'`,
  );
  const indexedPaths = (): Set<string> => new Set(declaredIndexes.all().map((row) => row.name.slice(INDEX_PREFIX.length)));

  function listMessages(appId: string, filter: MessageFilter, query: MessagePageQuery): MessagePage {
    const where = ['app_id = @appId'];
    const params: Record<string, string | number> = { appId, n: query.limit + 1 };
    const add = (clause: string, name: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(clause);
      params[name] = value;
    };
    add('id < @after', 'after', query.after);
    add('id > @before', 'before', query.before);
    add('id = @id', 'id', filter.id);
    add('idempotency_key = @key', 'key', filter.idempotencyKey);
    add('type = @type', 'type', filter.type);
    add('created_at >= @since', 'since', filter.since);
    add('created_at < @until', 'until', filter.until);
    if (filter.endpointId !== undefined || filter.status !== undefined) {
      const delivery = ['d.message_id = messages.id'];
      if (filter.endpointId !== undefined) delivery.push('d.endpoint_id = @endpointId');
      if (filter.status !== undefined) delivery.push('d.status = @status');
      where.push(`EXISTS (SELECT 1 FROM deliveries d WHERE ${delivery.join(' AND ')})`);
      if (filter.endpointId !== undefined) params.endpointId = filter.endpointId;
      if (filter.status !== undefined) params.status = filter.status;
    }
    let search: SearchPlan | null = null;
    const content = filter.content ?? [];
    if (content.length > 0) {
      const indexed = indexedPaths();
      content.forEach((criterion, i) => {
        where.push(contentClause(criterion, `c${i}`));
        const { value } = criterion;
        if (typeof value === 'string' || typeof value === 'number') params[`c${i}`] = value;
      });
      // One criterion on an index narrows the rows enough; without one, only the newest messages are searched.
      const usesIndex = content.some((c) => typeof c.value !== 'object' && indexed.has(pathText(c.path)));
      search = { indexed: usesIndex, scanLimit: usesIndex ? null : UNINDEXED_SCAN_LIMIT };
      if (!usesIndex) {
        where.push(`id >= coalesce((SELECT id FROM messages WHERE app_id = @appId ORDER BY id DESC LIMIT 1 OFFSET @window), '')`);
        params.window = UNINDEXED_SCAN_LIMIT - 1;
      }
    }
    const order = query.before !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM messages WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT @n`;
    return toMessagePage(prepared(sql).all(params) as MessageRow[], query, search);
  }

  /** Creates the index of each declared path (a build over every message, once) and drops those not declared. */
  function declareSearchFields(paths: readonly string[][]): void {
    const wanted = new Map(paths.map((path) => [pathText(path), path]));
    db.transaction(() => {
      for (const name of indexedPaths()) if (!wanted.has(name)) db.exec(`DROP INDEX "${INDEX_PREFIX}${name}"`);
      for (const [name, path] of wanted) {
        db.exec(`CREATE INDEX IF NOT EXISTS "${INDEX_PREFIX}${name}" ON messages (app_id, ${extract(path)}, id)`);
      }
    }).immediate();
  }

  return { listMessages, declareSearchFields };
}
