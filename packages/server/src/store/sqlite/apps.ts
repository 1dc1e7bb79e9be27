import type Database from 'better-sqlite3';
import type { App, AuditEntry } from '../../domain/index.js';
import type { AppPatch, NewApp, Page, PageQuery } from '../admin-store.js';
import { StoreConflictError } from '../errors.js';
import type { Audited } from './audit-log.js';
import { type AppRow, toApp, toPage } from './rows.js';

export function appQueries(db: Database.Database, audited: Audited) {
  const insert = db.prepare(
    `INSERT INTO apps (id, uid, name, alert_when_silent, max_in_flight, portal_branding, created_at, updated_at)
     VALUES (@id, @uid, @name, @alertWhenSilent, @maxInFlight, @portalBranding, @createdAt, @updatedAt)`,
  );
  const byIdOrUid = db.prepare<[string, string], AppRow>('SELECT * FROM apps WHERE id = ? OR uid = ? LIMIT 1');
  const byId = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE id = ?');
  const page = db.prepare<{ after: string | null; n: number }, AppRow>(
    'SELECT * FROM apps WHERE (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT @n',
  );
  const update = db.prepare(`
    UPDATE apps SET uid = coalesce(@uid, uid), name = coalesce(@name, name),
      alert_when_silent = coalesce(@alertWhenSilent, alert_when_silent),
      max_in_flight = CASE WHEN @setMaxInFlight THEN @maxInFlight ELSE max_in_flight END,
      portal_branding = CASE WHEN @setBranding THEN @portalBranding ELSE portal_branding END, updated_at = @now
    WHERE id = @id`);
  const remove = db.prepare('DELETE FROM apps WHERE id = ?');

  /** Call inside a transaction to make an app with other rows (a source's). */
  function insertApp(input: NewApp): App {
    const app: App = { ...input, alertWhenSilent: input.alertWhenSilent ?? false, maxInFlight: input.maxInFlight ?? null };
    const portalBranding = app.portalBranding ? JSON.stringify(app.portalBranding) : null;
    uniqueUid(() => insert.run({ ...app, alertWhenSilent: app.alertWhenSilent ? 1 : 0, portalBranding }));
    return app;
  }

  return {
    insertApp,
    async createApp(input: NewApp, audit?: AuditEntry): Promise<App> {
      return audited(audit, () => insertApp(input));
    },
    async findApp(idOrUid: string): Promise<App | null> {
      const row = byIdOrUid.get(idOrUid, idOrUid);
      return row ? toApp(row) : null;
    },
    async listApps(query: PageQuery): Promise<Page<App>> {
      return toPage(page.all({ after: query.after ?? null, n: query.limit + 1 }), query.limit, toApp);
    },
    async updateApp(id: string, patch: AppPatch, now: number, audit?: AuditEntry): Promise<App | null> {
      const alertWhenSilent = patch.alertWhenSilent === undefined ? null : patch.alertWhenSilent ? 1 : 0;
      const setMaxInFlight = patch.maxInFlight === undefined ? 0 : 1;
      const maxInFlight = patch.maxInFlight ?? null;
      const setBranding = patch.portalBranding === undefined ? 0 : 1;
      const portalBranding = patch.portalBranding ? JSON.stringify(patch.portalBranding) : null;
      const values = {
        id,
        uid: patch.uid ?? null,
        name: patch.name ?? null,
        alertWhenSilent,
        setMaxInFlight,
        maxInFlight,
        setBranding,
        portalBranding,
        now,
      };
      return audited(audit, () => {
        uniqueUid(() => update.run(values));
        const row = byId.get(id);
        return row ? toApp(row) : null;
      });
    },
    async deleteApp(id: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, () => remove.run(id).changes > 0);
    },
  };
}

function uniqueUid(write: () => unknown): void {
  try {
    write();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StoreConflictError('uid');
    throw error;
  }
}
