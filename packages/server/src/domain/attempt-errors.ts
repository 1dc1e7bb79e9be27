/**
 * Every code a failed delivery attempt can carry, with its meaning, in one place: the API, the dashboard, metrics,
 * ops events and `hookd tail` all show these. The README's attempt error table is checked against this list by a test.
 * Timeouts are named by the phase they bound, as undici names them, so a reader knows where the time went.
 */

export const ATTEMPT_ERRORS = {
  connect_timeout: 'No connection to the endpoint within HOOKD_CONNECT_TIMEOUT (DNS lookup included).',
  headers_timeout: 'Connected and sent, but the response headers did not come within HOOKD_TIMEOUT.',
  body_timeout: 'The response headers came, but the body stalled or did not end within HOOKD_TIMEOUT.',
  attempt_timeout: 'The attempt ran past HOOKD_TIMEOUT in an unrecorded phase (attempts made before timeouts had phases).',
  connection_refused: 'The endpoint’s host refused the connection (nothing listens on that port).',
  connection_reset: 'The endpoint reset the connection (or broke the pipe) while hookd was sending or reading.',
  connection_closed: 'The endpoint closed the connection before a complete response.',
  dns_failed: 'The endpoint’s host name did not resolve.',
  host_unreachable: 'No route to the endpoint’s address.',
  tls_failed: 'The TLS handshake failed: a certificate not trusted, expired or for another name, or no common protocol.',
  auth_failed:
    'The OAuth token for the endpoint could not be had: the token URL refused the client, answered no token, or was unreachable.',
  proxy_failed: 'The egress proxy (HOOKD_EGRESS_PROXY) could not be reached, or would not open a tunnel to the endpoint.',
  address_not_allowed: 'At send time the host was, or resolved to, an address the SSRF rules refuse (loopback, private, …).',
  invalid_url: 'The endpoint URL cannot be parsed as a URL.',
  invalid_response: 'The endpoint answered something that is not valid HTTP.',
  http_status: 'The endpoint answered a status other than 2xx, 3xx or 410; `responseStatus` holds it.',
  redirect_not_followed: 'The endpoint answered a 3xx; hookd does not follow redirects.',
  endpoint_gone: 'The endpoint answered 410 Gone; hookd disabled the endpoint.',
  network_error: 'Any other network failure; the message says what happened.',
  transformation_failed:
    'The endpoint’s transformation threw, ran out of CPU time or memory, overran its 2 s deadline, or returned something malformed; nothing was sent, and the message says what happened.',
} as const satisfies Record<string, string>;

export type AttemptErrorCode = keyof typeof ATTEMPT_ERRORS;

/** Why an attempt failed: a stable code to switch on, and a message for people. */
export interface AttemptError {
  code: AttemptErrorCode;
  message: string;
}

export const ATTEMPT_ERROR_CODES = Object.keys(ATTEMPT_ERRORS) as AttemptErrorCode[];

export function isAttemptErrorCode(code: string): code is AttemptErrorCode {
  return Object.hasOwn(ATTEMPT_ERRORS, code);
}

/** The failure an answer with this status is, or null for a 2xx (a success). */
export function responseError(status: number): AttemptError | null {
  if (status >= 200 && status < 300) return null;
  if (status === 410) return { code: 'endpoint_gone', message: 'HTTP 410 Gone' };
  if (status >= 300 && status < 400) return { code: 'redirect_not_followed', message: `HTTP ${status}, not followed` };
  return { code: 'http_status', message: `HTTP ${status}` };
}
