/**
 * The audit log: entries appended in the transaction of the change they record, read newest first, and deleted only
 * by retention (a trigger refuses any UPDATE).
 */
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../domain/index.js';
import type { AuditQuery, Page } from '../admin-store.js';
import { type AuditRow, auditValues, changedSomething, toAuditEntry } from '../audit-rows.js';
import { toPage } from './rows.js';

/** Runs `write` and, when it changed something, appends `audit` in the same transaction; without an entry, just runs it. */
export type Audited = <T>(audit: AuditEntry | undefined, write: () => T) => T;

export function auditLogQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO audit_log (id, at, app_id, actor, action, target, address, request_id, changes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const page = db.prepare<Record<string, string | number | null>, AuditRow>(`
    SELECT * FROM audit_log
    WHERE (@appId IS NULL OR app_id = @appId) AND (@actor IS NULL OR actor = @actor)
      AND (@action IS NULL OR action = @action) AND (@target IS NULL OR target = @target)
      AND (@since IS NULL OR at >= @since) AND (@until IS NULL OR at < @until) AND (@after IS NULL OR id < @after)
    ORDER BY id DESC LIMIT @n`);
  const purge = db.prepare<{ cutoff: number; limit: number }>(
    'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < @cutoff LIMIT @limit)',
  );
  const newer = db.prepare<{ after: string | null; until: number; n: number }, AuditRow>(
    'SELECT * FROM audit_log WHERE (@after IS NULL OR id > @after) AND at < @until ORDER BY id LIMIT @n',
  );
  const append = (entry: AuditEntry) => insert.run(...auditValues(entry));
  const inTransaction = db.transaction((audit: AuditEntry, write: () => unknown) => {
    const result = write();
    if (changedSomething(result)) append(audit);
    return result;
  });
  const audited: Audited = (audit, write) =>
    audit ? (inTransaction.immediate(audit, write) as ReturnType<typeof write>) : write();

  return {
    audited,
    async appendAudit(entry: AuditEntry): Promise<void> {
      append(entry);
    },
    async listAuditLog(q: AuditQuery): Promise<Page<AuditEntry>> {
      const rows = page.all({
        appId: q.appId ?? null,
        actor: q.actor ?? null,
        action: q.action ?? null,
        target: q.target ?? null,
        since: q.since ?? null,
        until: q.until ?? null,
        after: q.after ?? null,
        n: q.limit + 1,
      });
      return toPage(rows, q.limit, toAuditEntry);
    },
    async auditEntriesAfter(after: string | null, until: number, limit: number): Promise<AuditEntry[]> {
      return newer.all({ after, until, n: limit }).map(toAuditEntry);
    },
    async purgeAuditLog(input: { cutoff: number; limit: number }): Promise<number> {
      return purge.run(input).changes;
    },
  };
}
