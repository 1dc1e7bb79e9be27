/**
 * Message search on PostgreSQL: every criterion as SQL; content criteria are jsonb containment on the payload, which
 * the GIN index of migration 21 answers whatever the path, so every content search is indexed.
 */
import type pg from 'pg';
import { containmentOf } from '../../domain/index.js';
import type { MessageFilter, MessagePage, MessagePageQuery } from '../admin-store.js';
import { type MessageRow, toMessagePage } from './rows.js';

export async function searchMessages(
  pool: pg.Pool,
  appId: string,
  filter: MessageFilter,
  query: MessagePageQuery,
): Promise<MessagePage> {
  const params: unknown[] = [appId];
  const bind = (value: unknown): string => `$${params.push(value)}`;
  const where = ['app_id = $1'];
  const add = (sql: (param: string) => string, value: string | number | undefined): void => {
    if (value !== undefined) where.push(sql(bind(value)));
  };
  add((p) => `id < ${p}`, query.after);
  add((p) => `id > ${p}`, query.before);
  add((p) => `id = ${p}`, filter.id);
  add((p) => `idempotency_key = ${p}`, filter.idempotencyKey);
  add((p) => `type = ${p}`, filter.type);
  add((p) => `created_at >= ${p}::bigint`, filter.since);
  add((p) => `created_at < ${p}::bigint`, filter.until);
  if (filter.endpointId !== undefined || filter.status !== undefined) {
    const delivery = ['d.message_id = messages.id'];
    if (filter.endpointId !== undefined) delivery.push(`d.endpoint_id = ${bind(filter.endpointId)}`);
    if (filter.status !== undefined) delivery.push(`d.status = ${bind(filter.status)}`);
    where.push(`EXISTS (SELECT 1 FROM deliveries d WHERE ${delivery.join(' AND ')})`);
  }
  const content = filter.content ?? [];
  for (const criterion of content) {
    where.push(`hookd_payload_json(payload) @> ${bind(JSON.stringify(containmentOf(criterion)))}::jsonb`);
  }
  const order = query.before !== undefined ? 'ASC' : 'DESC';
  const sql = `SELECT * FROM messages WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT ${bind(query.limit + 1)}`;
  const { rows } = await pool.query<MessageRow>(sql, params);
  return toMessagePage(rows, query, content.length > 0 ? { indexed: true, scanLimit: null } : null);
}
