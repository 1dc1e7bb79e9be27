/** Row → record mapping for dashboard sessions, the same in both stores (PostgreSQL's bigint times arrive as text). */
import type { UiSession } from '../domain/index.js';

export interface UiSessionRow {
  id_hash: string;
  app_id: string | null;
  token_id: string | null;
  csrf: string;
  expires_at: number;
  created_at: number;
}

export const toUiSession = (row: UiSessionRow): UiSession => ({
  idHash: row.id_hash,
  appId: row.app_id,
  tokenId: row.token_id,
  csrf: row.csrf,
  expiresAt: Number(row.expires_at),
  createdAt: Number(row.created_at),
});
