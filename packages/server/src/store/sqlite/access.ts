/** What access hangs on: hookd's own settings, dashboard sessions kept server-side, and each app's portal-link epoch. */
import type Database from 'better-sqlite3';
import type { AuditEntry, UiSession } from '../../domain/index.js';
import { toUiSession, type UiSessionRow } from '../ui-session-rows.js';
import type { Audited } from './audit-log.js';

export function accessQueries(db: Database.Database, audited: Audited) {
  const setting = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?');
  const insertSetting = db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const replaceSetting = db.prepare('UPDATE settings SET value = ? WHERE name = ? AND value = ?');
  const insertSession = db.prepare(
    `INSERT INTO ui_sessions (id_hash, app_id, token_id, csrf, expires_at, created_at)
     VALUES (@idHash, @appId, @tokenId, @csrf, @expiresAt, @createdAt)`,
  );
  const session = db.prepare<[string, number], UiSessionRow>('SELECT * FROM ui_sessions WHERE id_hash = ? AND expires_at > ?');
  const endSession = db.prepare('DELETE FROM ui_sessions WHERE id_hash = ?');
  const endAdmin = db.prepare('DELETE FROM ui_sessions WHERE app_id IS NULL');
  const epoch = db.prepare<[string], { portal_epoch: number }>('SELECT portal_epoch FROM apps WHERE id = ?');
  const bumpEpoch = db.prepare('UPDATE apps SET portal_epoch = portal_epoch + 1 WHERE id = ?');
  const endAppSessions = db.prepare('DELETE FROM ui_sessions WHERE app_id = ?');
  const revoke = db.transaction((appId: string) => {
    if (bumpEpoch.run(appId).changes === 0) return false;
    endAppSessions.run(appId);
    return true;
  });

  return {
    async readSetting(name: string): Promise<string | null> {
      return setting.get(name)?.value ?? null;
    },
    async swapSetting(name: string, expected: string | null, value: string, audit?: AuditEntry): Promise<boolean> {
      // The entry only with a swap that happened: a lost race writes neither.
      return audited(audit, () => {
        const run = expected === null ? insertSetting.run(name, value) : replaceSetting.run(value, name, expected);
        return run.changes > 0;
      });
    },
    async createUiSession(s: UiSession, audit?: AuditEntry): Promise<void> {
      audited(audit, () => {
        insertSession.run(s);
      });
    },
    async findUiSession(idHash: string, now: number): Promise<UiSession | null> {
      const row = session.get(idHash, now);
      return row ? toUiSession(row) : null;
    },
    async endUiSession(idHash: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, () => endSession.run(idHash).changes > 0);
    },
    async endAdminUiSessions(): Promise<number> {
      return endAdmin.run().changes;
    },
    async portalEpoch(appId: string): Promise<number | null> {
      return epoch.get(appId)?.portal_epoch ?? null;
    },
    async revokePortalAccess(appId: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, () => revoke.immediate(appId));
    },
  };
}
