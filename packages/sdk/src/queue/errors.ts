/** Misuse of a queue, as a stable code a caller can switch on. */
export type QueueErrorCode = 'queue_closed' | 'queue_already_started' | 'queue_option_invalid';

export class QueueError extends Error {
  override readonly name = 'QueueError';
  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message);
  }
}
