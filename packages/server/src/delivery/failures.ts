/**
 * Turns what went wrong while sending into one of the attempt error codes (domain/attempt-errors.ts). undici names
 * its timeouts by phase (`UND_ERR_CONNECT_TIMEOUT`, `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`), and
 * hookd's own whole-attempt bound is named by the phase it ended, so every timeout says where the time went.
 */
import { type AttemptError, type AttemptErrorCode, isAttemptErrorCode } from '../domain/index.js';
import { AddressRefusedError } from './addresses.js';

/** Where an attempt was when it failed: waiting for the response headers (connecting included), or reading the body. */
export type SendPhase = 'headers' | 'body';

export interface TimeoutSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
}

const NETWORK_CODES: Record<string, AttemptErrorCode> = {
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ENOTFOUND: 'dns_failed',
  EAI_AGAIN: 'dns_failed',
  EHOSTUNREACH: 'host_unreachable',
  ENETUNREACH: 'host_unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers_timeout',
  UND_ERR_BODY_TIMEOUT: 'body_timeout',
  UND_ERR_SOCKET: 'connection_closed',
  UND_ERR_CLOSED: 'connection_closed',
  ERR_INVALID_URL: 'invalid_url',
};

/** Node's TLS failures: its own `ERR_TLS_*`/`ERR_SSL_*` codes, and OpenSSL's verification codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_)/;

/** What hookd's whole-attempt bound means, by the phase it ended. */
export function attemptTimedOut(phase: SendPhase, t: TimeoutSettings): AttemptError {
  return phase === 'body'
    ? { code: 'body_timeout', message: `the response body did not end within ${t.timeoutMs} ms of the attempt's start` }
    : { code: 'headers_timeout', message: `no response headers within ${t.timeoutMs} ms of the attempt's start` };
}

/** The code and message of an error thrown by sending (undici, the socket, the SSRF lookup). */
export function classifySendError(error: unknown, t: TimeoutSettings): AttemptError {
  const refused = error instanceof AddressRefusedError ? error : (error as { cause?: unknown })?.cause;
  if (refused instanceof AddressRefusedError) return { code: 'address_not_allowed', message: refused.message };
  const raw = (error as { code?: unknown })?.code;
  const rawCode = typeof raw === 'string' ? raw : '';
  const text = error instanceof Error ? error.message : String(error);
  // hookd's own failures (the egress proxy, an OAuth token) carry their attempt error code already.
  if (isAttemptErrorCode(rawCode)) return { code: rawCode, message: text };
  // undici's timeout messages do not say how long was allowed: ours do.
  if (rawCode === 'UND_ERR_CONNECT_TIMEOUT')
    return { code: 'connect_timeout', message: `no connection within ${t.connectTimeoutMs} ms` };
  if (rawCode === 'UND_ERR_HEADERS_TIMEOUT')
    return { code: 'headers_timeout', message: `no response headers within ${t.timeoutMs} ms` };
  if (rawCode === 'UND_ERR_BODY_TIMEOUT')
    return { code: 'body_timeout', message: `the response body stalled for ${t.timeoutMs} ms` };
  // undici's parser errors carry `HPE_*` as their code, or for some (a status line that is not HTTP) only their name.
  const invalid = rawCode.startsWith('HPE_') || (error as Error)?.name === 'HTTPParserError';
  const code = NETWORK_CODES[rawCode] ?? (TLS_CODE.test(rawCode) ? 'tls_failed' : invalid ? 'invalid_response' : 'network_error');
  return { code, message: rawCode ? `${rawCode} ${text}` : text };
}
