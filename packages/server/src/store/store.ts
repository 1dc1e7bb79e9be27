/**
 * The storage contract. Every implementation (SQLite, PostgreSQL) passes the same contract tests; nothing here
 * exposes a connection or a transaction. It is split into the roles that use it, and each consumer takes the
 * narrowest one it needs; an implementation is all of them.
 */
import type { AdminStore } from './admin-store.js';
import type { DashboardStore } from './dashboard-store.js';
import type { OpsStore } from './ops-store.js';
import type { QueueStore } from './queue-store.js';
import type { RecoveryStore } from './recovery-store.js';

export interface Store extends QueueStore, AdminStore, OpsStore, DashboardStore, RecoveryStore {}
