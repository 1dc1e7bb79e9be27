/** One HTTP call to hookd: URL, token, JSON both ways, a deadline, and every failure turned into a HookdApiError. */
import { type ErrorDetail, HookdApiError } from './errors.js';
import { fillPath, type PathParams, ROUTES, type RouteName } from './routes.js';

export interface TransportOptions {
  /** Where hookd listens, e.g. `http://127.0.0.1:8080`; a path prefix is kept. */
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  /** Bounds the whole call, answer body included; enforced through the signal handed to `fetch`. */
  timeoutMs: number;
}

/** Path parameters are required exactly when the route's template has them. */
export type CallOptions<N extends RouteName> = ([keyof PathParams<N>] extends [never]
  ? { params?: undefined }
  : { params: PathParams<N> }) & {
  query?: object;
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses that still carry an answer rather than an error (503 from /readyz). */
  alsoOk?: readonly number[];
};

/** Options may be left out only for a route without path parameters. */
type CallArgs<N extends RouteName> = [keyof PathParams<N>] extends [never]
  ? [options?: CallOptions<N>]
  : [options: CallOptions<N>];

export type Call = <T, N extends RouteName = RouteName>(name: N, ...args: CallArgs<N>) => Promise<T>;

export function createTransport(options: TransportOptions): Call {
  const base = options.baseUrl.replace(/\/+$/, '');
  return async <T, N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<T> => {
    const call: CallOptions<N> = args[0] ?? ({} as CallOptions<N>);
    const route = ROUTES[name];
    const url = base + fillPath(route.path, call.params ?? {}) + queryString(call.query);
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const where = `${route.method} ${url}`;
    try {
      const response = await options.fetch(url, { method: route.method, headers, body, signal: controller.signal });
      const text = await response.text();
      return answerOf<T>(response.status, text, where, call.alsoOk);
    } catch (error) {
      if (error instanceof HookdApiError) throw error;
      if (timedOut) throw new HookdApiError('timeout', `${where}: no full answer within ${options.timeoutMs} ms`, null);
      const reason = (error as Error & { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new HookdApiError('network_error', `${where}: ${reason}`, null, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Skips undefined values, so optional filters left out are not sent as the text "undefined"; a list repeats its key. */
function queryString(query: object | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function answerOf<T>(status: number, text: string, where: string, alsoOk: readonly number[] = []): T {
  const ok = (status >= 200 && status < 300) || alsoOk.includes(status);
  if (ok && status === 204) return undefined as T;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HookdApiError('invalid_response', `${where}: answered ${status} with a body that is not JSON`, status);
  }
  if (ok) return parsed as T;
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string') {
    throw new HookdApiError('invalid_response', `${where}: answered ${status} without hookd's error body`, status);
  }
  const message = typeof error.message === 'string' ? error.message : error.code;
  // The server's code is passed through as sent, even one this client version does not list.
  const details = Array.isArray(error.details) ? (error.details as ErrorDetail[]) : undefined;
  throw new HookdApiError(error.code as HookdApiError['code'], message, status, { details });
}
