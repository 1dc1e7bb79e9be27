/** The embedded store: one SQLite file in WAL mode, written through better-sqlite3. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { privateDir, privateFile, privateFiles } from '../files.js';
import type { Store } from '../store.js';
import { accessQueries } from './access.js';
import { appTokenQueries } from './app-tokens.js';
import { appQueries } from './apps.js';
import { attemptFeedQueries } from './attempt-feed.js';
import { auditLogQueries } from './audit-log.js';
import { startCheckpointer } from './checkpointer.js';
import { deliveryClaimer } from './claim.js';
import { dashboardQueries } from './dashboard.js';
import { deliveryQueries } from './deliveries.js';
import { endpointQueries } from './endpoints.js';
import { eventTypeQueries } from './event-types.js';
import { healthQueries } from './health.js';
import { messageQueries } from './messages.js';
import { migrate, schemaVersion } from './migrations.js';
import { opsQueries } from './ops.js';
import { queueStatsQuery } from './queue-stats.js';
import { attemptRecorder } from './record-attempt.js';
import { recoveryQueries } from './recoveries.js';
import { retentionQueries } from './retention.js';
import { secretQueries } from './secrets.js';
import { markServed } from './served.js';
import { sourceQueries } from './sources.js';

export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') {
    if (!existsSync(dirname(path))) privateDir(dirname(path));
    // SQLite gives the -wal and -shm files it creates the database file's mode, so this one chmod covers them.
    privateFile(path);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Ones left by an older hookd keep their mode otherwise.
  if (path !== ':memory:') privateFiles(`${path}-wal`, `${path}-shm`);
  // NORMAL in WAL mode: a commit survives the process being killed; only a power cut may lose the last ones.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const checkpointer = path === ':memory:' ? null : startCheckpointer(db, path);
  const unmark = path === ':memory:' ? null : markServed(path);

  const { audited, ...auditLogMethods } = auditLogQueries(db);
  const endpoints = endpointQueries(db, audited);
  const { disableNow, insertEndpoint, ...endpointMethods } = endpoints;
  const { insertApp, ...appMethods } = appQueries(db, audited);
  return {
    ...auditLogMethods,
    ...appMethods,
    ...appTokenQueries(db, audited),
    ...accessQueries(db, audited),
    ...endpointMethods,
    ...messageQueries(db),
    ...eventTypeQueries(db, audited),
    ...deliveryQueries(db, audited),
    ...queueStatsQuery(db),
    ...healthQueries(db),
    ...retentionQueries(db),
    ...sourceQueries(db, { insertApp, insertEndpoint }, audited),
    ...opsQueries(db),
    ...attemptFeedQueries(db),
    ...dashboardQueries(db),
    ...secretQueries(db),
    ...recoveryQueries(db, audited),
    claimDueDeliveries: deliveryClaimer(db),
    recordAttempt: attemptRecorder(db, disableNow),
    async migrate() {
      migrate(db);
    },
    // One process owns the file, and it wakes its own worker.
    async watchDue() {
      return async () => {};
    },
    async wakeEvery() {},
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async schemaVersion() {
      return schemaVersion(db);
    },
    async close() {
      await checkpointer?.stop();
      if (db.open) db.close();
      unmark?.();
    },
  };
}
