/** The `queue` option: a ready WebhookQueue (the caller's to close), or `{ path }` for a SQLite queue the receiver owns. */
import { createSqliteQueue, type SqliteQueueCommonOptions, type WebhookQueue } from '../queue/index.js';

/** `{ path: './data/webhooks.db' }` plus any SQLite queue option (maxAttempts, backoff, …); needs better-sqlite3 installed. */
export type SqliteQueueShortcut = SqliteQueueCommonOptions & { path: string };

export function resolveQueue(option: WebhookQueue | SqliteQueueShortcut): { queue: WebhookQueue; owned: boolean } {
  if (typeof (option as WebhookQueue).enqueue === 'function') return { queue: option as WebhookQueue, owned: false };
  return { queue: createSqliteQueue(option as SqliteQueueShortcut), owned: true };
}
