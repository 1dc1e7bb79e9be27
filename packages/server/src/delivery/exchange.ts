/**
 * One HTTP request and the start of its answer, through undici's dispatcher handler rather than `request()`. An
 * attempt keeps only the status, the headers and the first bytes of the body; `request()` builds a readable stream,
 * an async iterator and an AbortSignal per request for that, which cost the delivering process more CPU than the
 * exchange on the wire (`npm run bench -- profile`). One timer per attempt bounds the whole of it.
 */
import type { Dispatcher } from 'undici';
import type { SendPhase } from './failures.js';

export interface ExchangeRequest {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string;
  /** Bounds the wait for the headers, each pause in the body, and the exchange as a whole. */
  timeoutMs: number;
  /** The most body bytes kept; the connection is dropped once they are in, so a huge answer costs nothing. */
  bodyLimit: number;
}

export interface Answer {
  status: number;
  /** Lower-cased names; a name sent more than once has all its values. */
  headers: Record<string, string | string[]>;
  /** The first `bodyLimit` bytes of the body, as UTF-8. */
  body: string;
}

/** The exchange ran past its `timeoutMs`, in `phase`. */
export class ExchangeTimeout extends Error {
  constructor(readonly phase: SendPhase) {
    super(`the exchange ran past its time, waiting for the ${phase}`);
  }
}

export function exchange(dispatcher: Dispatcher, url: URL, request: ExchangeRequest): Promise<Answer> {
  const { timeoutMs, bodyLimit } = request;
  return new Promise<Answer>((resolve, reject) => {
    let abort: ((reason: Error) => void) | null = null;
    let settled = false;
    let answer: Answer | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== null || answer === null) reject(error ?? new Error('the exchange ended without an answer'));
      else resolve({ ...answer, body: Buffer.concat(chunks, size).subarray(0, bodyLimit).toString('utf8') });
    };
    const timer = setTimeout(() => {
      const timeout = new ExchangeTimeout(answer === null ? 'headers' : 'body');
      settle(timeout);
      abort?.(timeout);
    }, timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
        // Settled before the request reached a connection (the timer fired): it goes no further.
        if (settled) abortRequest(new ExchangeTimeout('headers'));
      },
      onHeaders(status, rawHeaders) {
        // 1xx answers come before the real one.
        if (status < 200) return true;
        answer = { status, headers: headersOf(rawHeaders), body: '' };
        return true;
      },
      onData(chunk) {
        if (size < bodyLimit) {
          chunks.push(chunk);
          size += chunk.length;
        }
        if (size < bodyLimit) return true;
        // Enough of it: answer now, and drop the connection rather than read the rest.
        settle(null);
        abort?.(new Error('the response body was longer than hookd keeps'));
        return false;
      },
      onComplete() {
        settle(null);
      },
      onError(error) {
        settle(error);
      },
    };
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers,
        body: request.body,
        // The timer above bounds every phase; undici's own would be a second timer set and cleared per attempt.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      handler,
    );
  });
}

/** undici's raw headers (name, value, name, value, …) as an object, several values of one name kept in order. */
function headersOf(raw: Buffer[] | string[] | null): Record<string, string | string[]> {
  // No prototype: a receiver's `__proto__` header is a header like any other.
  const headers: Record<string, string | string[]> = Object.create(null);
  if (raw === null) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]?.toString('latin1').toLowerCase() as string;
    const value = raw[i + 1]?.toString('latin1') as string;
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers;
}
