/** Per-app API tokens: one row per token, found by the SHA-256 of the token a request carries. */
import type { AppToken, AuditEntry } from '../../domain/index.js';
import type { Audited } from './audit-log.js';
import type { Queryable } from './pool.js';

interface AppTokenRow {
  id: string;
  app_id: string;
  name: string;
  can_mint_portal_links: boolean | number;
  created_at: string;
}

const toAppToken = (row: AppTokenRow): AppToken => ({
  id: row.id,
  appId: row.app_id,
  name: row.name,
  canMintPortalLinks: Boolean(row.can_mint_portal_links),
  createdAt: Number(row.created_at),
});

const INSERT =
  'INSERT INTO app_tokens (id, app_id, name, hash, created_at, can_mint_portal_links) VALUES ($1, $2, $3, $4, $5, $6)';
const OF_APP = 'SELECT * FROM app_tokens WHERE app_id = $1 ORDER BY id DESC';
const REMOVE = 'DELETE FROM app_tokens WHERE app_id = $1 AND id = $2';
const BY_HASH = 'SELECT * FROM app_tokens WHERE hash = $1';
const BY_ID = 'SELECT * FROM app_tokens WHERE app_id = $1 AND id = $2';

export function appTokenQueries(db: Queryable, audited: Audited) {
  return {
    async createAppToken(token: AppToken, hashHex: string, audit?: AuditEntry): Promise<AppToken> {
      const values = [token.id, token.appId, token.name, hashHex, token.createdAt, token.canMintPortalLinks];
      return audited(audit, async (client) => {
        await client.query(INSERT, values);
        return token;
      });
    },
    async listAppTokens(appId: string): Promise<AppToken[]> {
      const { rows } = await db.query<AppTokenRow>(OF_APP, [appId]);
      return rows.map(toAppToken);
    },
    async deleteAppToken(appId: string, id: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, async (client) => ((await client.query(REMOVE, [appId, id])).rowCount ?? 0) > 0);
    },
    async findAppTokenByHash(hashHex: string): Promise<AppToken | null> {
      const { rows } = await db.query<AppTokenRow>(BY_HASH, [hashHex]);
      return rows[0] ? toAppToken(rows[0]) : null;
    },
    async findAppToken(appId: string, id: string): Promise<AppToken | null> {
      const { rows } = await db.query<AppTokenRow>(BY_ID, [appId, id]);
      return rows[0] ? toAppToken(rows[0]) : null;
    },
  };
}
