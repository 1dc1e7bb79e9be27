/** Shared pieces of the receiver tests: signing, loopback servers, a node:http bridge for fetch handlers, a recording logger. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceiverLogger } from '../../src/receiver/index.js';
import { SCHEMES } from '../../src/schemes/index.js';
import type { SchemeName } from '../../src/schemes/types.js';
import { generateSecret } from '../../src/secret.js';

export const SECRET = generateSecret();

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** A request as `scheme` signs it, with a JSON content type; `id` becomes the delivery id where the scheme carries one. */
export function signed(
  payload: unknown,
  options: { id?: string; scheme?: SchemeName; secret?: string; timestamp?: number } = {},
): SignedRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const scheme = SCHEMES[options.scheme ?? 'standard'];
  const headers = scheme.sign({
    body,
    secrets: options.secret ?? SECRET,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { body, headers: { 'content-type': 'application/json', ...headers } };
}

/** The same request with one byte of the body changed. */
export function tampered(request: SignedRequest): SignedRequest {
  return { ...request, body: request.body.replace(/\d/, (digit) => String((Number(digit) + 1) % 10)) };
}

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Listens on a free loopback port; `close` also drops idle keep-alive connections so the test ends at once. */
export function listen(server: Server, host = '127.0.0.1'): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      const hostPart = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${hostPart}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  json: { received?: boolean; duplicate?: boolean; error?: { code: string; message: string; issues?: unknown[] } };
}

export async function post(url: string, request: SignedRequest, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...request.headers, ...extraHeaders },
    body: request.body,
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Reply['json'] };
}

/** Serves a fetch-style handler over node:http (what @hono/node-server or a runtime would do), passing the peer address. */
export function fetchBridge(
  handler: (request: Request, incoming: IncomingMessage) => Response | Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      });
      const response = await handler(request, req);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  };
}

export function serveFetch(handler: Parameters<typeof fetchBridge>[0], host?: string): Promise<Running> {
  return listen(createServer(fetchBridge(handler)), host);
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  details: Record<string, unknown>;
  message: string;
}

export function recordingLogger(): ReceiverLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record = (level: LogLine['level']) => (details: object, message: string) => {
    lines.push({ level, details: details as Record<string, unknown>, message });
  };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** A promise with its resolve outside, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls `condition` every few ms until it holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
