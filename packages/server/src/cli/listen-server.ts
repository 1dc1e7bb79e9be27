/**
 * The HTTP side of `hookd listen`: every request outside /_hookd is caught, kept, shown and answered as the flags
 * say; /_hookd is the web page and its small JSON API (list, one request, replay, a live stream).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SchemeName } from '@hookd/sdk';
import { curlCommand } from './curl.js';
import { fixtureOf, saveFixture } from './fixtures.js';
import { type Answered, relayableHeaders, sendRequest } from './http.js';
import { hostAllowed } from './listen-hosts.js';
import { detectScheme, eventTypeOf, verifyCaught } from './listen-inspect.js';
import { LISTEN_PAGE } from './listen-page.js';
import { requestJson, requestSummary } from './listen-print.js';
import { type ForwardRoute, routeFor } from './listen-routes.js';
import type { Captured, ForwardOutcome, ListenStore } from './listen-store.js';
import { CliError } from './output.js';

export interface ListenOptions {
  store: ListenStore;
  secrets: string[];
  provider?: SchemeName;
  /** Unset: 200, or with `forward` the app's own status. */
  status?: number;
  delayMs: number;
  /** Unset: `{"received":true}`, or with `forward` the app's own body. */
  body?: string;
  /** Where to relay each request: the first route whose event-type pattern matches; one without a pattern is the fallback. */
  forward: readonly ForwardRoute[];
  /** The secret was generated, a Standard Webhooks one: only requests signed that way are checked with it. */
  secretGenerated?: boolean;
  /** Where to save each caught JSON request as a fixture for `hookd trigger --fixture`. */
  saveFixtures?: string;
  maxBodyBytes: number;
  /** The --host listened on: with loopback names, what the Host header of the page and its API must name. */
  host: string;
  /** Told of each request once it is kept, then again once answered (with `forward` when there is one). */
  onCaught(request: Captured): void;
  onAnswered(request: Captured, status: number, forwarded: boolean): void;
  /** Told of each fixture written with `saveFixtures`. */
  onFixture?(path: string): void;
}

/** Paths under this prefix belong to the listener, never to the requests it catches. */
const UI_PREFIX = '/_hookd';

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** With a forward URL that has no path of its own, the caught request's path is kept; otherwise the URL is used as is. */
function forwardTarget(forward: string, path: string): string {
  const url = new URL(forward);
  if (url.pathname !== '/' || url.search !== '') return url.href;
  return new URL(path, url).href;
}

function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    pairs.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
  }
  return pairs;
}

export function createListenServer(options: ListenOptions): Server {
  const streams = new Set<ServerResponse>();
  // A generated secret is a Standard Webhooks one: other requests would only ever show as failing with it.
  const checks = (headers: Record<string, string>) =>
    options.secrets.length > 0 && (!options.secretGenerated || detectScheme(headers) === 'standard');
  const defaultBody = options.body ?? '{"received":true}';
  const defaultType = (() => {
    try {
      JSON.parse(defaultBody);
      return 'application/json';
    } catch {
      return 'text/plain; charset=utf-8';
    }
  })();

  async function forward(request: Captured, route: ForwardRoute): Promise<{ outcome: ForwardOutcome; answer: Answered | null }> {
    const url = forwardTarget(route.url, request.path);
    try {
      const answer = await sendRequest({
        url,
        method: request.method,
        headers: relayableHeaders(request.headers),
        body: request.body,
      });
      return {
        outcome: { url, status: answer.status, durationMs: answer.durationMs, body: answer.body.slice(0, 65_536) },
        answer,
      };
    } catch (error) {
      const reason = error instanceof CliError ? error.message : String(error);
      return { outcome: { url, status: null, durationMs: 0, error: reason }, answer: null };
    }
  }

  async function catchRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const body = await readBody(req, options.maxBodyBytes);
    if (body === null) {
      sendJson(res, 413, { error: `the body is over ${options.maxBodyBytes} bytes (raise --max-body)` });
      return;
    }
    const headers = headerPairs(req);
    const headerMap = relayableHeaders(headers);
    for (const [name, value] of headers) if (name === 'host') headerMap.host = value;
    const captured = options.store.add({
      receivedAt,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body,
      eventType: eventTypeOf(body, headerMap, options.provider),
      verification: checks(headerMap) ? verifyCaught(body, headerMap, options.secrets, options.provider) : null,
    });
    options.onCaught(captured);
    if (options.saveFixtures) {
      const fixture = fixtureOf(captured, options.provider ?? detectScheme(headerMap));
      if (fixture) options.onFixture?.(saveFixture(options.saveFixtures, captured.id, fixture));
    }

    let status = options.status ?? 200;
    let answerBody = defaultBody;
    let contentType = defaultType;
    let outcome: ForwardOutcome | null = null;
    const route = routeFor(options.forward, captured.eventType);
    if (route) {
      const relayed = await forward(captured, route);
      outcome = relayed.outcome;
      if (options.status === undefined) status = relayed.answer?.status ?? 502;
      if (options.body === undefined) {
        answerBody = relayed.answer?.body ?? JSON.stringify({ error: `hookd listen could not forward: ${outcome.error}` });
        contentType = relayed.answer?.headers['content-type'] ?? 'application/json';
      }
    }
    options.store.finish(captured.id, status, outcome);
    const done = { ...captured, responseStatus: status, forward: outcome };
    options.onAnswered(done, status, outcome !== null && options.status === undefined);
    notify(done);
    if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    res.writeHead(status, { 'content-type': contentType });
    res.end(answerBody);
  }

  function notify(request: Captured): void {
    const frame = `id: ${request.id}\nevent: request\ndata: ${JSON.stringify(requestSummary(request))}\n\n`;
    for (const stream of streams) stream.write(frame);
  }

  function openStream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(': stream open\n\n');
    const from = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? options.store.lastId());
    // What the page missed while it was away, then whatever comes next.
    for (const request of options.store.after(Number.isFinite(from) ? from : 0)) {
      res.write(`id: ${request.id}\nevent: request\ndata: ${JSON.stringify(requestSummary(request))}\n\n`);
    }
    streams.add(res);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(res);
    });
  }

  async function replay(req: IncomingMessage, res: ServerResponse, id: number): Promise<void> {
    // Only the page itself may replay: a JSON body needs a CORS preflight, which is never granted, and a
    // browser's Origin must be this listener.
    const origin = req.headers.origin;
    if (
      !(req.headers['content-type'] ?? '').startsWith('application/json') ||
      (origin && new URL(origin).host !== req.headers.host)
    ) {
      return sendJson(res, 403, { error: 'replays are accepted from the hookd listen page only' });
    }
    const request = options.store.get(id);
    if (!request) return sendJson(res, 404, { error: `no request #${id}` });
    const raw = await readBody(req, 65_536);
    let target: unknown;
    try {
      target = (JSON.parse(raw?.toString('utf8') ?? '') as { url?: unknown }).url;
    } catch {
      target = undefined;
    }
    if (typeof target !== 'string' || !URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) {
      return sendJson(res, 400, { error: 'give {"url": "http://…"}: where to replay the request' });
    }
    try {
      const answer = await sendRequest({
        url: target,
        method: request.method,
        headers: relayableHeaders(request.headers),
        body: request.body,
      });
      sendJson(res, 200, { url: target, ...answer });
    } catch (error) {
      sendJson(res, 502, { url: target, error: error instanceof CliError ? error.message : String(error) });
    }
  }

  async function ui(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // Caught webhooks are taken whatever their Host; the page, its JSON, stream and replay only under this host.
    const { port } = server.address() as { port: number };
    if (!hostAllowed(req.headers.host, options.host, port)) {
      return sendJson(res, 403, {
        error: `the hookd listen page answers at http://127.0.0.1:${port}/_hookd (or localhost, or its --host), not at ${req.headers.host ?? 'no Host'}`,
      });
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === UI_PREFIX) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
      });
      res.end(LISTEN_PAGE);
      return;
    }
    if (req.method === 'GET' && path === `${UI_PREFIX}/api/stream`) return openStream(req, res, url);
    if (req.method === 'GET' && path === `${UI_PREFIX}/api/requests`) {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 100) || 100, 1), 500);
      const before = Number(url.searchParams.get('before') ?? Number.MAX_SAFE_INTEGER) || Number.MAX_SAFE_INTEGER;
      const data = options.store.list(limit, before);
      const nextCursor = data.length === limit ? String(data.at(-1)?.id) : null;
      return sendJson(res, 200, { data: data.map(requestSummary), nextCursor });
    }
    const one = /^\/_hookd\/api\/requests\/(\d+)(\/replay)?$/.exec(path);
    if (one) {
      const id = Number(one[1]);
      if (one[2] && req.method === 'POST') return replay(req, res, id);
      if (!one[2] && req.method === 'GET') {
        const request = options.store.get(id);
        if (!request) return sendJson(res, 404, { error: `no request #${id}` });
        const curl = curlCommand({
          method: request.method,
          url: `http://${req.headers.host ?? '127.0.0.1'}${request.path}`,
          headers: request.headers,
          body: request.body.toString('utf8'),
        });
        return sendJson(res, 200, { ...requestJson(request), curl });
      }
    }
    sendJson(res, 404, { error: `hookd listen has no page at ${req.method} ${url.pathname}` });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://listen.invalid');
    const isUi = url.pathname === UI_PREFIX || url.pathname.startsWith(`${UI_PREFIX}/`);
    (isUi ? ui(req, res, url) : catchRequest(req, res)).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
      else res.end();
    });
  });
  server.on('close', () => {
    for (const stream of streams) stream.end();
  });
  return server;
}
