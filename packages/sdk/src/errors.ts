/** Every way a webhook can fail verification, as a stable code a caller can switch on, with what it means. */
export const VERIFICATION_ERROR_CODES = {
  header_missing: 'a header the scheme needs (signature, timestamp or id) is absent',
  header_invalid: 'a header is present but not in the form the scheme defines',
  secret_invalid: 'no usable secret was given (empty, or a whsec_ secret that is not base64)',
  timestamp_too_old: 'the signed timestamp is older than the tolerance allows (a possible replay)',
  timestamp_in_future: 'the signed timestamp is further ahead than the tolerance allows',
  signature_invalid: 'no offered signature matches the body, the signed headers and any of the secrets',
} as const;

export type VerificationErrorCode = keyof typeof VERIFICATION_ERROR_CODES;

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: VerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
