/** Per-app API tokens: one row per token, found by the SHA-256 of the token a request carries. */
import type Database from 'better-sqlite3';
import type { AppToken, AuditEntry } from '../../domain/index.js';
import type { Audited } from './audit-log.js';

interface AppTokenRow {
  id: string;
  app_id: string;
  name: string;
  can_mint_portal_links: boolean | number;
  created_at: number;
}

const toAppToken = (row: AppTokenRow): AppToken => ({
  id: row.id,
  appId: row.app_id,
  name: row.name,
  canMintPortalLinks: Boolean(row.can_mint_portal_links),
  createdAt: row.created_at,
});

export function appTokenQueries(db: Database.Database, audited: Audited) {
  const insert = db.prepare(
    `INSERT INTO app_tokens (id, app_id, name, can_mint_portal_links, hash, created_at)
     VALUES (@id, @appId, @name, @canMint, @hash, @createdAt)`,
  );
  const ofApp = db.prepare<[string], AppTokenRow>('SELECT * FROM app_tokens WHERE app_id = ? ORDER BY id DESC');
  const remove = db.prepare('DELETE FROM app_tokens WHERE app_id = ? AND id = ?');
  const byHash = db.prepare<[string], AppTokenRow>('SELECT * FROM app_tokens WHERE hash = ?');
  const byId = db.prepare<[string, string], AppTokenRow>('SELECT * FROM app_tokens WHERE app_id = ? AND id = ?');

  return {
    async createAppToken(token: AppToken, hashHex: string, audit?: AuditEntry): Promise<AppToken> {
      return audited(audit, () => {
        insert.run({ ...token, canMint: token.canMintPortalLinks ? 1 : 0, hash: hashHex });
        return token;
      });
    },
    async listAppTokens(appId: string): Promise<AppToken[]> {
      return ofApp.all(appId).map(toAppToken);
    },
    async deleteAppToken(appId: string, id: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, () => remove.run(appId, id).changes > 0);
    },
    async findAppTokenByHash(hashHex: string): Promise<AppToken | null> {
      const row = byHash.get(hashHex);
      return row ? toAppToken(row) : null;
    },
    async findAppToken(appId: string, id: string): Promise<AppToken | null> {
      const row = byId.get(appId, id);
      return row ? toAppToken(row) : null;
    },
  };
}
