import type { App, AuditEntry } from '../../domain/index.js';
import type { AppPatch, NewApp, Page, PageQuery } from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import type { Audited, AuditedTransaction } from './audit-log.js';
import { type Queryable, retryingDeadlocks } from './pool.js';
import { type AppRow, toApp, toPage } from './rows.js';

const INSERT = `
  INSERT INTO apps (id, uid, name, created_at, updated_at, alert_when_silent, max_in_flight, portal_branding)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
const BY_ID_OR_UID = 'SELECT * FROM apps WHERE id = $1 OR uid = $1 LIMIT 1';
const PAGE = 'SELECT * FROM apps WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2';
const UPDATE = `
  UPDATE apps SET uid = coalesce($2, uid), name = coalesce($3, name), updated_at = $4,
    alert_when_silent = coalesce($5, alert_when_silent),
    max_in_flight = CASE WHEN $6::boolean THEN $7::int ELSE max_in_flight END,
    portal_branding = CASE WHEN $8::boolean THEN $9::text ELSE portal_branding END
  WHERE id = $1
  RETURNING *`;
const REMOVE = 'DELETE FROM apps WHERE id = $1';
// An endpoint changed in another transaction takes its app's row next (the endpoints_version trigger): deleting the
// app takes its endpoints' rows before the app's, so the two wait for each other in turn instead of deadlocking.
const LOCK_ENDPOINTS = 'SELECT id FROM endpoints WHERE app_id = $1 ORDER BY id FOR UPDATE';

/** Inserts the app; on a transaction's client, it is made with other rows (a source's). */
export async function insertApp(db: Queryable, input: NewApp): Promise<App> {
  const app: App = { ...input, alertWhenSilent: input.alertWhenSilent ?? false, maxInFlight: input.maxInFlight ?? null };
  const branding = app.portalBranding ? JSON.stringify(app.portalBranding) : null;
  const values = [app.id, app.uid, app.name, app.createdAt, app.updatedAt, app.alertWhenSilent, app.maxInFlight, branding];
  await uniqueUid(db.query(INSERT, values));
  return app;
}

export function appQueries(db: Queryable, audited: Audited, transaction: AuditedTransaction) {
  return {
    async createApp(input: NewApp, audit?: AuditEntry): Promise<App> {
      return audited(audit, (client) => insertApp(client, input));
    },
    async findApp(idOrUid: string): Promise<App | null> {
      const { rows } = await db.query<AppRow>(BY_ID_OR_UID, [idOrUid]);
      return rows[0] ? toApp(rows[0]) : null;
    },
    async listApps(query: PageQuery): Promise<Page<App>> {
      const { rows } = await db.query<AppRow>(PAGE, [query.after ?? null, query.limit + 1]);
      return toPage(rows, query.limit, toApp);
    },
    async updateApp(id: string, patch: AppPatch, now: number, audit?: AuditEntry): Promise<App | null> {
      const values = [
        id,
        patch.uid ?? null,
        patch.name ?? null,
        now,
        patch.alertWhenSilent ?? null,
        patch.maxInFlight !== undefined,
        patch.maxInFlight ?? null,
        patch.portalBranding !== undefined,
        patch.portalBranding ? JSON.stringify(patch.portalBranding) : null,
      ];
      return audited(audit, async (client) => {
        const { rows } = await uniqueUid(client.query<AppRow>(UPDATE, values));
        return rows[0] ? toApp(rows[0]) : null;
      });
    },
    async deleteApp(id: string, audit?: AuditEntry): Promise<boolean> {
      return retryingDeadlocks(() =>
        transaction(audit, async (client) => {
          await client.query(LOCK_ENDPOINTS, [id]);
          return ((await client.query(REMOVE, [id])).rowCount ?? 0) > 0;
        }),
      );
    },
  };
}

async function uniqueUid<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'apps_uid_unique') throw new StoreConflictError('uid');
    throw error;
  }
}
