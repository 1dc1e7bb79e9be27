/** Why a delivery attempt failed: hookd's attempt error codes (its README's attempt error table), to switch on. */
export const ATTEMPT_ERROR_CODES = [
  'connect_timeout',
  'headers_timeout',
  'body_timeout',
  'attempt_timeout',
  'connection_refused',
  'connection_reset',
  'connection_closed',
  'dns_failed',
  'host_unreachable',
  'tls_failed',
  'auth_failed',
  'proxy_failed',
  'address_not_allowed',
  'invalid_url',
  'invalid_response',
  'http_status',
  'redirect_not_followed',
  'endpoint_gone',
  'network_error',
  'transformation_failed',
] as const;

export type AttemptErrorCode = (typeof ATTEMPT_ERROR_CODES)[number];

/** A failed attempt's error: `code` is stable, `message` is for people. */
export interface AttemptError {
  code: AttemptErrorCode;
  message: string;
}
