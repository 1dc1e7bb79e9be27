/**
 * The audit log: entries appended in the transaction of the change they record, read newest first, and deleted only
 * by retention (a trigger refuses any UPDATE).
 */
import type pg from 'pg';
import type { AuditEntry } from '../../domain/index.js';
import type { AuditQuery, Page } from '../admin-store.js';
import { type AuditRow, auditValues, changedSomething, toAuditEntry } from '../audit-rows.js';
import type { PurgeInput } from '../ops-store.js';
import { inTransaction, type Queryable } from './pool.js';
import { toPage } from './rows.js';

const INSERT = `
  INSERT INTO audit_log (id, at, app_id, actor, action, target, address, request_id, changes)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const PAGE = `
  SELECT * FROM audit_log
  WHERE ($1::text IS NULL OR app_id = $1) AND ($2::text IS NULL OR actor = $2)
    AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR target = $4)
    AND ($5::bigint IS NULL OR at >= $5) AND ($6::bigint IS NULL OR at < $6) AND ($7::text IS NULL OR id < $7)
  ORDER BY id DESC LIMIT $8`;
const NEWER = 'SELECT * FROM audit_log WHERE ($1::text IS NULL OR id > $1) AND at < $2 ORDER BY id LIMIT $3';
const PURGE = 'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)';

/** Runs `work` in a transaction and, when it changed something, appends `audit` (if any) before the commit. */
export type AuditedTransaction = <T>(audit: AuditEntry | undefined, work: (client: Queryable) => Promise<T>) => Promise<T>;
/** The same, but a write without an entry runs as it is, outside any transaction. */
export type Audited = AuditedTransaction;

/** Appends `audit`, if any, on the transaction's `client` when `result` says the write changed something; gives `result`. */
export async function noted<T>(client: Queryable, audit: AuditEntry | undefined, result: T): Promise<T> {
  if (audit && changedSomething(result)) await client.query(INSERT, [...auditValues(audit)]);
  return result;
}

export function auditLogQueries(pool: pg.Pool) {
  const transaction: AuditedTransaction = (audit, work) =>
    inTransaction(pool, async (client) => noted(client, audit, await work(client)));
  const audited: Audited = (audit, write) => (audit ? transaction(audit, write) : write(pool));

  return {
    audited,
    transaction,
    async appendAudit(entry: AuditEntry): Promise<void> {
      await pool.query(INSERT, [...auditValues(entry)]);
    },
    async listAuditLog(q: AuditQuery): Promise<Page<AuditEntry>> {
      const values = [q.appId, q.actor, q.action, q.target, q.since, q.until, q.after].map((v) => v ?? null);
      const { rows } = await pool.query<AuditRow>(PAGE, [...values, q.limit + 1]);
      return toPage(rows, q.limit, toAuditEntry);
    },
    async auditEntriesAfter(after: string | null, until: number, limit: number): Promise<AuditEntry[]> {
      const { rows } = await pool.query<AuditRow>(NEWER, [after, until, limit]);
      return rows.map(toAuditEntry);
    },
    async purgeAuditLog(input: PurgeInput): Promise<number> {
      return (await pool.query(PURGE, [input.cutoff, input.limit])).rowCount ?? 0;
    },
  };
}
