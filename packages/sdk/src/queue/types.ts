/** The receiver's durable queue: a webhook is answered once enqueued, and handled from here with retries. */

/** A webhook the receiver accepted, as kept in the queue. */
export interface ReceivedWebhook {
  /** The sender's delivery id (webhook-id, X-GitHub-Delivery, …), or one made up on arrival. */
  id: string;
  /** The event type it routes on; null when the request names none. */
  type: string | null;
  /** The raw body as received, UTF-8. */
  body: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Unix milliseconds. */
  receivedAt: number;
}

export interface HandleContext {
  /** 1 on the first try. */
  attempt: number;
}

export type QueueHandler = (webhook: ReceivedWebhook, context: HandleContext) => Promise<void>;

export interface DeadLetter {
  jobId: string;
  webhook: ReceivedWebhook;
  attempts: number;
  lastError: string;
  /** Unix milliseconds. */
  failedAt: number;
}

export interface WebhookQueue {
  /** Resolves once the webhook is durably stored. */
  enqueue(webhook: ReceivedWebhook): Promise<void>;
  /** Starts handling queued webhooks; a throw schedules a retry with backoff, the last one dead-letters it. */
  start(handler: QueueHandler): void;
  /** Stops taking new work and waits for handlers in progress. */
  stop(): Promise<void>;
  /** Oldest failure first; at most `limit` (default 100). */
  listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]>;
  /** Puts dead letters back in the queue (all of them when no ids are given); returns how many. */
  replayDeadLetters(jobIds?: readonly string[]): Promise<number>;
  close(): Promise<void>;
}
