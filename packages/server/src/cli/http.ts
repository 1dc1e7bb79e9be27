/** One outgoing HTTP request of a developer command (send, trigger, listen's forward and replay), timed. */
import { CliError, EXIT, formatBytes, type Paint, paintStatus, prettyBody } from './output.js';

export interface OutgoingRequest {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: string | Buffer;
  timeoutMs?: number;
}

export interface Answered {
  status: number;
  statusText: string;
  durationMs: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that describe one hop, not the request: never copied when a request is relayed or replayed. */
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'proxy-connection',
  'te',
  'trailer',
]);

export function relayableHeaders(headers: Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (!HOP_BY_HOP.has(key)) out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Sends the request; a network failure or a timeout is a CliError with exit code 3. Redirects are not followed. */
export async function sendRequest(request: OutgoingRequest): Promise<Answered> {
  const timeoutMs = request.timeoutMs ?? 30_000;
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.headers,
      // A Buffer is sent as its bytes: a signature covers them exactly.
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(Buffer.from(request.body)),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      durationMs: Math.round(performance.now() - started),
      headers: Object.fromEntries(response.headers),
      body,
    };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') {
      throw new CliError(`${request.url} did not answer within ${timeoutMs} ms`, EXIT.unreachable, 'raise it with --timeout');
    }
    const reason = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new CliError(
      `cannot reach ${request.url}: ${reason}`,
      EXIT.unreachable,
      'is the receiver running, and is the URL (host, port) right?',
    );
  }
}

/** The answer as a few readable lines: status and time, then the body, pretty when JSON. */
export function describeAnswer(p: Paint, answer: Answered, options: { headers?: boolean } = {}): string {
  const lines = [
    `${p.bold('←')} ${paintStatus(p, answer.status, `${answer.status} ${answer.statusText}`.trim())}  ${p.dim(`in ${answer.durationMs} ms · ${formatBytes(Buffer.byteLength(answer.body))}`)}`,
  ];
  if (options.headers) for (const [name, value] of Object.entries(answer.headers)) lines.push(`  ${p.dim(`${name}:`)} ${value}`);
  const body = prettyBody(answer.body);
  if (body !== '') lines.push(...body.split('\n').map((line) => `  ${line}`));
  return lines.join('\n');
}

/** What `--json` prints for an answer. */
export function answerJson(answer: Answered): Record<string, unknown> {
  return {
    status: answer.status,
    ok: answer.status >= 200 && answer.status < 300,
    durationMs: answer.durationMs,
    headers: answer.headers,
    body: answer.body,
  };
}
