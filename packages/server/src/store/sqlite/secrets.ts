/** Rewrites every stored secret in one immediate transaction: the start-up encryption and `hookd keys rotate`. */
import type Database from 'better-sqlite3';
import { RewriteCount, type SecretRewrite } from '../secret-rows.js';

export function secretQueries(db: Database.Database) {
  const endpoints = db.prepare<[], { id: string; secret: string; previous_secret: string | null }>(
    'SELECT id, secret, previous_secret FROM endpoints',
  );
  const setEndpoint = db.prepare('UPDATE endpoints SET secret = ?, previous_secret = ? WHERE id = ?');
  const credentials = db.prepare<[], { endpoint_id: string; credentials: string }>(
    'SELECT endpoint_id, credentials FROM endpoint_credentials',
  );
  const setCredentials = db.prepare('UPDATE endpoint_credentials SET credentials = ? WHERE endpoint_id = ?');
  const sources = db.prepare<[], { id: string; secrets: string }>('SELECT id, secrets FROM sources');
  const setSource = db.prepare('UPDATE sources SET secrets = ? WHERE id = ?');
  const rewriteAll = db.transaction((rewrite: SecretRewrite): number => {
    const count = new RewriteCount(rewrite);
    for (const row of endpoints.all()) {
      const next = count.endpoint(row.secret, row.previous_secret);
      if (next) setEndpoint.run(next.secret, next.previous, row.id);
    }
    for (const row of credentials.all()) {
      const next = count.credentials(row.credentials);
      if (next !== null) setCredentials.run(next, row.endpoint_id);
    }
    for (const row of sources.all()) {
      const next = count.sourceSecrets(row.secrets);
      if (next !== null) setSource.run(next, row.id);
    }
    return count.changed;
  });
  return {
    async rewriteSecrets(rewrite: SecretRewrite): Promise<number> {
      // The values replaced must not stay readable in the file: freed space is zeroed, and the -wal, which holds
      // the old pages until a checkpoint, is emptied once they are written back.
      db.pragma('secure_delete = ON');
      try {
        const changed = rewriteAll.immediate(rewrite);
        if (changed > 0) db.pragma('wal_checkpoint(TRUNCATE)');
        return changed;
      } finally {
        db.pragma('secure_delete = OFF');
      }
    },
  };
}
