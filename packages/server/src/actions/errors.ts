/**
 * Every stable error code an action (and so the API and the dashboard) can fail with, with its HTTP status and
 * meaning, in one place. The README's error table is checked against this list by a test.
 */

export const ERRORS = {
  bad_request: [400, 'The HTTP request itself is malformed (headers, URL or framing), or its URL holds a NUL byte (`%00`).'],
  invalid_json: [400, 'The request body is not valid JSON.'],
  validation_failed: [400, 'The request is well-formed JSON but a field is missing, mistyped or out of range.'],
  unknown_field: [400, 'The request has a field this route does not know; check its spelling.'],
  invalid_url: [400, 'The endpoint URL is not an absolute http:// or https:// URL.'],
  invalid_search: [
    400,
    'A message search is malformed: a `where` criterion is not `path:value` (e.g. `data.order_id:1234`), or a cursor was given both ways.',
  ],
  invalid_event_type: [
    400,
    'An event type name or filter is malformed (letters, digits, `_`, `-`, dot-separated; filters may end in `.*`).',
  ],
  url_not_allowed: [
    422,
    'The endpoint URL points at a loopback, private, link-local or metadata address that hookd may not reach.',
  ],
  transformation_invalid: [
    422,
    'The endpoint’s transformation is over 64 KiB, does not compile, ran past its limits when evaluated, or defines no `handler` function.',
  ],
  schema_mismatch: [422, 'The event data does not match its event type’s JSON Schema (`details` names each failing path).'],
  event_type_archived: [422, 'The event type is archived; restore it before publishing it again.'],
  filter_invalid: [
    422,
    'The endpoint’s `filter` is refused: an unknown operator, an unsafe or over-long `$regex`, or over the size limit; `details` gives the path (`filter.data.amount.$foo`).',
  ],
  unauthorized: [401, 'The Authorization header is missing, or its bearer token is not valid.'],
  auth_rate_limited: [
    429,
    'Too many wrong tokens (or sign-ins, or portal links) from this address; Retry-After says when to try again.',
  ],
  forbidden: [403, 'The token is an app token, and this route (or this change, such as an app’s uid) needs the admin token.'],
  csrf_invalid: [
    403,
    'A dashboard form came without this session’s CSRF token (or from another site); reload the page and try again.',
  ],
  portal_link_invalid: [
    401,
    'The portal link is expired, revoked, malformed or not signed by this hookd’s current key; ask for a new one.',
  ],
  source_not_found: [404, 'No source has this id or name.'],
  source_name_taken: [409, 'Another source already uses this name.'],
  app_not_found: [404, 'No app has this id or uid.'],
  endpoint_not_found: [404, 'The app has no endpoint with this id.'],
  message_not_found: [404, 'The app has no message with this id.'],
  delivery_not_found: [404, 'The app has no delivery with this id.'],
  token_not_found: [404, 'The app has no API token with this id.'],
  recovery_not_found: [404, 'The app has no recovery job with this id.'],
  event_type_not_found: [404, 'No event type has this name.'],
  route_not_found: [404, 'No route matches this method and path.'],
  uid_taken: [409, 'Another app already uses this uid.'],
  uid_reserved: [422, 'Uids starting with `hookd-` are kept for hookd’s own apps (such as `hookd-ops`).'],
  event_type_exists: [409, 'An event type with this name exists already (archived ones too).'],
  delivery_in_flight: [409, 'The delivery is being attempted right now; retry it after the attempt ends.'],
  delivery_skipped: [
    409,
    'The delivery was skipped on purpose (its `skipReason` says why, e.g. the endpoint’s filter); it is never sent or retried.',
  ],
  endpoint_disabled: [409, 'The endpoint is disabled; enable it before replaying to it.'],
  endpoint_limit_reached: [409, 'The app has HOOKD_MAX_ENDPOINTS_PER_APP endpoints already; delete one before adding another.'],
  recovery_not_running: [409, 'The recovery job has completed or was cancelled already; there is nothing left to cancel.'],
  message_purged: [409, 'Retention removed this message’s payload; there is nothing left to send.'],
  request_timeout: [408, 'The request was not received in full in time.'],
  body_too_large: [413, 'The request body is over the size limit.'],
  payload_too_large: [413, 'The published event is over HOOKD_MAX_PAYLOAD once serialized as the delivered body.'],
  unsupported_media_type: [
    415,
    'The body’s content type is not taken here: send `Content-Type: application/json` (dashboard forms are urlencoded).',
  ],
  headers_too_large: [431, 'The request headers are over the size limit.'],
  store_unavailable: [503, 'The database cannot be reached or is full; nothing was stored, try again.'],
  store_full: [503, 'The database’s disk is full; nothing was stored. Try again once space is freed.'],
  internal_error: [500, 'Something failed inside hookd; the logs hold the details.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

/** One reason a request was refused, where the code has several (`schema_mismatch`): a JSON Pointer into the body. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** A refusal with a stable code: actions throw it, and the API's one error handler turns it into the answer. */
export class ApiError extends Error {
  readonly statusCode: number;
  /** Headers the answer carries, such as Retry-After. */
  headers?: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code][1],
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.statusCode = ERRORS[code][0];
  }
}
