/** The durable receiver queue: a webhook is answered once enqueued, then handled here with retries and a dead-letter table. */

export { MissingDriverError, type SqliteDatabase } from '../sqlite-driver.js';
export type { BackoffFunction, BackoffOptions } from './backoff.js';
export { QueueError, type QueueErrorCode } from './errors.js';
export { createSqliteQueue, type SqliteQueueCommonOptions, type SqliteQueueOptions } from './sqlite.js';
export type { DeadLetter, HandleContext, QueueHandler, ReceivedWebhook, WebhookQueue } from './types.js';
