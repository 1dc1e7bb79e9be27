/** The one error the client throws for a failed call, with a stable `code` to switch on. */

/** The codes the hookd API answers with (its README's error table). */
export const API_ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'unknown_field',
  'invalid_url',
  'invalid_search',
  'invalid_event_type',
  'url_not_allowed',
  'transformation_invalid',
  'schema_mismatch',
  'event_type_archived',
  'filter_invalid',
  'unauthorized',
  'auth_rate_limited',
  'forbidden',
  // The dashboard (/ui): forms without the session's CSRF token, and expired or forged portal links.
  'csrf_invalid',
  'portal_link_invalid',
  'app_not_found',
  'endpoint_not_found',
  'message_not_found',
  'delivery_not_found',
  'token_not_found',
  'recovery_not_found',
  'event_type_not_found',
  'route_not_found',
  'uid_taken',
  'uid_reserved',
  'event_type_exists',
  'delivery_in_flight',
  'delivery_skipped',
  'endpoint_disabled',
  'endpoint_limit_reached',
  'recovery_not_running',
  'message_purged',
  'request_timeout',
  'body_too_large',
  'payload_too_large',
  'unsupported_media_type',
  'headers_too_large',
  'store_unavailable',
  'store_full',
  'internal_error',
  // Sources (/v1/sources). Their ingest URLs, POST /in/{source}, answer the receiver's codes (RECEIVER_ERRORS).
  'source_not_found',
  'source_name_taken',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** One reason for a refusal: `path` is a JSON Pointer into the request body (`/data/amount`). */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * Failures found on this side of the wire:
 * - `network_error`: no answer came (refused, reset, DNS);
 * - `timeout`: no full answer within `timeoutMs`;
 * - `invalid_response`: an answer that is not hookd's JSON (a proxy's error page, a cut body).
 */
export type ClientErrorCode = 'network_error' | 'timeout' | 'invalid_response';

export type HookdErrorCode = ApiErrorCode | ClientErrorCode;

export class HookdApiError extends Error {
  override readonly name = 'HookdApiError';
  /** What the server listed beside some codes (`schema_mismatch`: each failing path); empty otherwise. */
  readonly details: ErrorDetail[];
  constructor(
    /** A server's code, or a client-side one; a newer server may send codes this list lacks. */
    readonly code: HookdErrorCode,
    message: string,
    /** The HTTP status, or null when no answer came. */
    readonly status: number | null,
    options?: { cause?: unknown; details?: ErrorDetail[] },
  ) {
    super(message, options);
    this.details = options?.details ?? [];
  }
}
