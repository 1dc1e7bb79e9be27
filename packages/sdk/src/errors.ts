/** Every way a webhook can fail verification, as a stable code a caller can switch on. */
export type VerificationErrorCode =
  | 'header_missing'
  | 'header_invalid'
  | 'secret_invalid'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'signature_invalid';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: VerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
