/**
 * `hookd forward`: streams what a source ingests from a running hookd (Server-Sent Events over the API) and
 * POSTs each request, its body and provider headers unchanged, to a local URL — the self-hosted answer to
 * tunnelling tools. When the stream drops (a restart, a network blip) it reconnects and resumes after the last
 * event it saw, so nothing that arrived meanwhile is skipped.
 */
import { Command } from 'commander';
import { CliError, EXIT } from './output.js';
import { connect, type ServerFlags, withServerFlags } from './server-client.js';

interface Streamed {
  id: string;
  type: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
}

export interface ForwardOptions {
  baseUrl: string;
  token: string;
  source: string;
  to: string;
  /** Resume after this event id; default: only what arrives from now on. */
  after?: string;
  json?: boolean;
  /** Where each line goes; default stdout. */
  print?: (line: string) => void;
  /** Where notices about the stream go; default stderr. */
  notice?: (line: string) => void;
  signal?: AbortSignal;
  /** How often to ask hookd whether the source still exists: its stream alone says nothing when it is deleted. */
  sourceCheckMs?: number;
}

/** Longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 5_000;
/** A stream that says nothing for this long (not even a heartbeat) is taken as dead and reopened. */
const SILENCE_MS = 45_000;
const LOCAL_TIMEOUT_MS = 30_000;
const SOURCE_CHECK_MS = 5_000;

/** The failure when the source is deleted while forwarding: exit 2, as when it never existed. */
function sourceGone(options: ForwardOptions): CliError {
  return new CliError(
    `source ${JSON.stringify(options.source)} was deleted on hookd at ${options.baseUrl}: nothing more will arrive`,
    EXIT.notFound,
    'create it again (providers need its new ingest URL) or pick another with --source, then run hookd forward again',
  );
}

/** Whether hookd still has the source; network trouble counts as yes (the stream's reconnects deal with that). */
async function sourceExists(options: ForwardOptions): Promise<boolean> {
  try {
    const response = await fetch(`${options.baseUrl}/v1/sources/${encodeURIComponent(options.source)}`, {
      headers: { authorization: `Bearer ${options.token}` },
      signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status !== 404;
  } catch {
    return true;
  }
}

/**
 * Runs until `signal` aborts; throws a CliError when hookd refuses the token or knows no such source, at the start
 * or later: a source deleted while forwarding ends the run instead of leaving it connected and silent.
 */
export async function forward(options: ForwardOptions): Promise<void> {
  const stop = new AbortController();
  const outer = options.signal;
  const abort = () => stop.abort();
  outer?.addEventListener('abort', abort);
  let gone = false;
  const watcher = setInterval(async () => {
    if (gone || stop.signal.aborted || (await sourceExists(options))) return;
    gone = true;
    stop.abort();
  }, options.sourceCheckMs ?? SOURCE_CHECK_MS);
  try {
    await forwardUntil({ ...options, signal: stop.signal });
  } finally {
    clearInterval(watcher);
    outer?.removeEventListener('abort', abort);
  }
  if (gone) throw sourceGone(options);
}

async function forwardUntil(options: ForwardOptions): Promise<void> {
  const print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  const notice = options.notice ?? ((line) => process.stderr.write(`${line}\n`));
  let lastId = options.after ?? null;
  let backoff = 250;
  let connectedOnce = false;
  while (!options.signal?.aborted) {
    try {
      const opened = await openStream(options, lastId, connectedOnce);
      if (!connectedOnce) notice(`forwarding source ${options.source} from ${options.baseUrl} to ${options.to}`);
      else notice('stream reopened; resuming');
      connectedOnce = true;
      backoff = 250;
      for await (const event of readEvents(opened)) {
        if (event.event !== 'webhook') continue;
        const request = JSON.parse(event.data) as Streamed;
        print(await forwardOne(options, request));
        lastId = event.id ?? request.id;
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (options.signal?.aborted) return;
      notice(`stream lost (${(error as Error).message}); reconnecting in ${backoff} ms`);
    }
    if (options.signal?.aborted) return;
    await sleep(backoff, options.signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

async function openStream(
  options: ForwardOptions,
  lastId: string | null,
  connectedBefore: boolean,
): Promise<ReadableStream<Uint8Array>> {
  const url = `${options.baseUrl}/v1/sources/${encodeURIComponent(options.source)}/events/stream`;
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' };
  if (lastId !== null) headers['last-event-id'] = lastId;
  const response = await fetch(url, { headers, signal: options.signal });
  if (response.status === 401) {
    throw new CliError(
      `hookd at ${options.baseUrl} refused the token`,
      EXIT.refused,
      'pass the admin token with --token or HOOKD_TOKEN, or save it with hookd login',
    );
  }
  if (response.status === 404) {
    if (connectedBefore) throw sourceGone(options);
    throw new CliError(`hookd has no source ${JSON.stringify(options.source)}`, EXIT.notFound, 'list them: hookd sources list');
  }
  if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}`);
  return response.body;
}

interface SseFrame {
  id?: string;
  event: string;
  data: string;
}

/** Parses a Server-Sent Events body into frames; ends when the stream ends or stays silent too long. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no word from the server for ${SILENCE_MS / 1000} s`)), SILENCE_MS);
      });
      const { value, done } = await Promise.race([reader.read(), silence]).finally(() => clearTimeout(timer));
      if (done) throw new Error('the server closed the stream');
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (frame) yield frame;
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function parseFrame(text: string): SseFrame | null {
  const frame: SseFrame = { event: 'message', data: '' };
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue; // comments: the heartbeat
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  frame.data = data.join('\n');
  return frame;
}

/** POSTs one request to the local app; the line says what it answered and how fast. Failures are printed, not retried. */
async function forwardOne(options: ForwardOptions, request: Streamed): Promise<string> {
  const started = performance.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(options.to, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    status = response.status;
  } catch (caught) {
    const cause = (caught as { cause?: { code?: string } }).cause;
    error = cause?.code ?? (caught as Error).name;
  }
  const ms = Math.round(performance.now() - started);
  if (options.json)
    return JSON.stringify({ id: request.id, type: request.type, receivedAt: request.receivedAt, status, error, ms });
  const time = new Date(request.receivedAt).toISOString().slice(11, 19);
  return `${time}  ${request.type}  ${request.id}  -> ${status ?? `error ${error}`}  ${ms} ms`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function forwardCommand(): Command {
  return withServerFlags(
    new Command('forward')
      .description('Forward what a source receives on a hookd server to a local URL (no tunnel needed)')
      .requiredOption('--source <id>', 'the source, by id or name')
      .requiredOption('--to <url>', 'the local URL to POST each request to, e.g. http://localhost:3000/webhook')
      .option('--after <id>', 'start after this event id instead of with what arrives from now on')
      .option('--json', 'print one JSON object per request instead of a line of text')
      .addHelpText(
        'after',
        [
          '',
          'Each request goes out as the provider sent it (body and headers), and one line says what the app answered:',
          '  12:00:01  push  msg_01J…  -> 200  4 ms',
          'The stream reconnects by itself and resumes after the last event it saw. If the source is deleted on the',
          'server meanwhile, forward says so and exits with code 2.',
          '',
          'Example:',
          '  hookd forward --server https://hooks.example.com --source github --to http://localhost:3000/webhook',
          '',
          'Exit codes: 0 stopped with Ctrl-C, 1 bad flags or no token, 2 hookd refused the token, 4 the source does not',
          'exist or was deleted while forwarding.',
        ].join('\n'),
      ),
  ).action(async (flags: { source: string; to: string; after?: string; json?: boolean } & ServerFlags) => {
    if (!URL.canParse(flags.to)) throw new CliError(`--to ${JSON.stringify(flags.to)} is not a URL`, EXIT.usage);
    const { baseUrl, token } = connect(flags);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await forward({
      baseUrl,
      token,
      source: flags.source,
      to: flags.to,
      after: flags.after,
      json: flags.json,
      signal: stop.signal,
    });
  });
}
