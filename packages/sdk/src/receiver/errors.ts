/**
 * Every code the receiver can answer with, its HTTP status, the metrics counter it feeds and what it means.
 * Callers switch on `code`; the messages are for people.
 */
import type { VerificationErrorCode } from '../errors.js';

/** The `metrics.refused` counters: what kind of refusal each code is. */
export type RefusalKind =
  | 'method'
  | 'ip'
  | 'rate_limit'
  | 'payload_too_large'
  | 'body_unreadable'
  | 'raw_body_unavailable'
  | 'signature'
  | 'body_not_text'
  | 'invalid_json'
  | 'validation'
  | 'in_progress'
  | 'unavailable'
  | 'internal';

interface ErrorEntry {
  status: number;
  /** The `metrics.refused` counter; null for handler failures, which count in `metrics.failed`. */
  kind: RefusalKind | null;
  meaning: string;
}

const signature = (meaning: string): ErrorEntry => ({ status: 401, kind: 'signature', meaning });

export const RECEIVER_ERRORS = {
  method_not_allowed: { status: 405, kind: 'method', meaning: 'only POST carries a webhook' },
  ip_not_allowed: { status: 403, kind: 'ip', meaning: 'the client address is outside allowIps' },
  rate_limited: {
    status: 429,
    kind: 'rate_limit',
    meaning: 'more requests than the rate (per address, or see `rateLimit.counts`); Retry-After says when to',
  },
  payload_too_large: { status: 413, kind: 'payload_too_large', meaning: 'the body is larger than maxBodyBytes' },
  body_unreadable: { status: 400, kind: 'body_unreadable', meaning: 'the body could not be read (the client went away)' },
  raw_body_unavailable: {
    status: 500,
    kind: 'raw_body_unavailable',
    meaning: 'a body parser consumed the request and kept no raw bytes to verify; see the message for how to mount',
  },
  header_missing: signature('a signature header the scheme needs is missing'),
  header_invalid: signature('a signature header is malformed'),
  secret_invalid: signature('a configured secret is unusable (receiver misconfiguration)'),
  timestamp_too_old: signature('the signed timestamp is older than the tolerance'),
  timestamp_in_future: signature('the signed timestamp is further ahead than the tolerance'),
  signature_invalid: signature('no signature matches the body and secrets'),
  body_not_text: {
    status: 400,
    kind: 'body_not_text',
    meaning: "with `body: 'text'`, the body is not UTF-8 or holds a NUL character",
  },
  invalid_json: { status: 400, kind: 'invalid_json', meaning: 'the body is not JSON' },
  validation_failed: { status: 400, kind: 'validation', meaning: 'the payload does not match the schema; `issues` lists why' },
  delivery_in_progress: {
    status: 409,
    kind: 'in_progress',
    meaning: 'another copy of this delivery is being handled right now; retry later',
  },
  idempotency_unavailable: { status: 503, kind: 'unavailable', meaning: 'the idempotency store failed; retry later' },
  enqueue_failed: {
    status: 503,
    kind: 'unavailable',
    meaning: 'the queue (or the hand-off) could not store the webhook; retry later',
  },
  handler_failed: { status: 500, kind: null, meaning: 'a handler threw; the sender should retry' },
  internal_error: { status: 500, kind: 'internal', meaning: 'the receiver failed unexpectedly' },
} as const satisfies Record<string, ErrorEntry> & Record<VerificationErrorCode, ErrorEntry>;

export type ReceiverErrorCode = keyof typeof RECEIVER_ERRORS;

/** Thrown by an adapter's readBody when the body passes the limit. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

/** Thrown by an adapter's readBody when a framework read the stream first and kept no copy of the bytes. */
export class RawBodyUnavailableError extends Error {
  override readonly name = 'RawBodyUnavailableError';
  readonly code = 'raw_body_unavailable';
}

export type ReceiverConfigErrorCode =
  | 'allow_ips_invalid'
  | 'trust_proxy_invalid'
  | 'rate_limit_invalid'
  | 'verify_invalid'
  | 'mode_invalid'
  | 'queue_not_configured'
  | 'option_invalid';

/** A mistake in the options, thrown by createReceiver (or by a queue call without a queue). */
export class ReceiverConfigError extends Error {
  override readonly name = 'ReceiverConfigError';
  constructor(
    readonly code: ReceiverConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
