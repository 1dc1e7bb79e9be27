/** Row ↔ record mapping for the audit log, the same in both stores (PostgreSQL's bigint times arrive as numbers too). */
import type { AuditChanges, AuditEntry } from '../domain/index.js';

export interface AuditRow {
  id: string;
  at: number;
  app_id: string | null;
  actor: string;
  action: string;
  target: string;
  address: string | null;
  request_id: string | null;
  changes: string;
}

export const toAuditEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: Number(row.at),
  appId: row.app_id,
  actor: row.actor,
  action: row.action,
  target: row.target,
  address: row.address,
  requestId: row.request_id,
  changes: JSON.parse(row.changes) as AuditChanges,
});

/** The columns in the order both stores insert them. */
export const auditValues = (e: AuditEntry) =>
  [e.id, e.at, e.appId, e.actor, e.action, e.target, e.address, e.requestId, JSON.stringify(e.changes)] as const;

/** Whether a mutation's answer says it changed something: only then is its entry written. */
export const changedSomething = (result: unknown): boolean => result !== null && result !== false;
