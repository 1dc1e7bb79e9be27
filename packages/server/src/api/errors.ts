/**
 * Every error code the API returns, with its HTTP status and meaning, in one place.
 * The README's error table is checked against this list by a test.
 */

export const ERRORS = {
  bad_request: [400, 'The HTTP request itself is malformed (headers, URL or framing).'],
  invalid_json: [400, 'The request body is not valid JSON.'],
  validation_failed: [400, 'The request is well-formed JSON but a field is missing, mistyped or out of range.'],
  unknown_field: [400, 'The request has a field this route does not know; check its spelling.'],
  invalid_url: [400, 'The endpoint URL is not an absolute http:// or https:// URL.'],
  invalid_event_type: [
    400,
    'An event type name or filter is malformed (letters, digits, `_`, `-`, dot-separated; filters may end in `.*`).',
  ],
  url_not_allowed: [
    422,
    'The endpoint URL points at a loopback, private, link-local or metadata address that hookd may not reach.',
  ],
  unauthorized: [401, 'The Authorization header is missing, or its bearer token is not valid.'],
  app_not_found: [404, 'No app has this id or uid.'],
  endpoint_not_found: [404, 'The app has no endpoint with this id.'],
  message_not_found: [404, 'The app has no message with this id.'],
  delivery_not_found: [404, 'The app has no delivery with this id.'],
  route_not_found: [404, 'No route matches this method and path.'],
  uid_taken: [409, 'Another app already uses this uid.'],
  delivery_in_flight: [409, 'The delivery is being attempted right now; retry it after the attempt ends.'],
  endpoint_disabled: [409, 'The endpoint is disabled; enable it before replaying to it.'],
  request_timeout: [408, 'The request was not received in full in time.'],
  body_too_large: [413, 'The request body is over the size limit.'],
  unsupported_media_type: [415, 'The request body must be sent as application/json.'],
  headers_too_large: [431, 'The request headers are over the size limit.'],
  store_unavailable: [503, 'The database cannot be reached or is full; nothing was stored, try again.'],
  internal_error: [500, 'Something failed inside hookd; the logs hold the details.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code][1],
  ) {
    super(message);
    this.statusCode = ERRORS[code][0];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
