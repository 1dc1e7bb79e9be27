/** What access hangs on: hookd's own settings, dashboard sessions kept server-side, and each app's portal-link epoch. */
import type { AuditEntry, UiSession } from '../../domain/index.js';
import { toUiSession, type UiSessionRow } from '../ui-session-rows.js';
import type { Audited, AuditedTransaction } from './audit-log.js';
import type { Queryable } from './pool.js';

const SETTING = 'SELECT value FROM settings WHERE name = $1';
const INSERT_SETTING = 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING';
const REPLACE_SETTING = 'UPDATE settings SET value = $2 WHERE name = $1 AND value = $3';
const INSERT_SESSION = `INSERT INTO ui_sessions (id_hash, app_id, token_id, csrf, expires_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const SESSION = 'SELECT * FROM ui_sessions WHERE id_hash = $1 AND expires_at > $2';
const END_SESSION = 'DELETE FROM ui_sessions WHERE id_hash = $1';
const END_ADMIN = 'DELETE FROM ui_sessions WHERE app_id IS NULL';
const EPOCH = 'SELECT portal_epoch FROM apps WHERE id = $1';
const BUMP_EPOCH = 'UPDATE apps SET portal_epoch = portal_epoch + 1 WHERE id = $1';
const END_APP_SESSIONS = 'DELETE FROM ui_sessions WHERE app_id = $1';

export function accessQueries(db: Queryable, audited: Audited, transaction: AuditedTransaction) {
  return {
    async readSetting(name: string): Promise<string | null> {
      const { rows } = await db.query<{ value: string }>(SETTING, [name]);
      return rows[0]?.value ?? null;
    },
    async swapSetting(name: string, expected: string | null, value: string, audit?: AuditEntry): Promise<boolean> {
      // The entry only with a swap that happened: a lost race writes neither.
      return audited(audit, async (client) => {
        const result =
          expected === null
            ? await client.query(INSERT_SETTING, [name, value])
            : await client.query(REPLACE_SETTING, [name, value, expected]);
        return (result.rowCount ?? 0) > 0;
      });
    },
    async createUiSession(s: UiSession, audit?: AuditEntry): Promise<void> {
      await audited(audit, (client) =>
        client.query(INSERT_SESSION, [s.idHash, s.appId, s.tokenId, s.csrf, s.expiresAt, s.createdAt]),
      );
    },
    async findUiSession(idHash: string, now: number): Promise<UiSession | null> {
      const { rows } = await db.query<UiSessionRow>(SESSION, [idHash, now]);
      return rows[0] ? toUiSession(rows[0]) : null;
    },
    async endUiSession(idHash: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, async (client) => ((await client.query(END_SESSION, [idHash])).rowCount ?? 0) > 0);
    },
    async endAdminUiSessions(): Promise<number> {
      return (await db.query(END_ADMIN)).rowCount ?? 0;
    },
    async portalEpoch(appId: string): Promise<number | null> {
      const { rows } = await db.query<{ portal_epoch: number }>(EPOCH, [appId]);
      return rows[0]?.portal_epoch ?? null;
    },
    async revokePortalAccess(appId: string, audit?: AuditEntry): Promise<boolean> {
      return transaction(audit, async (client) => {
        if (((await client.query(BUMP_EPOCH, [appId])).rowCount ?? 0) === 0) return false;
        await client.query(END_APP_SESSIONS, [appId]);
        return true;
      });
    },
  };
}
