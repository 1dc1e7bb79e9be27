/** `hookd tail`: a live stream of delivery attempts from a running hookd, one coloured line each. */
import { HookdApiError, type HookdErrorCode } from '@hookd/sdk/client';
import { Command } from 'commander';
import type { AttemptError } from '../domain/index.js';
import { CliError, EXIT, type Paint, paintFor, printJson } from './output.js';
import { apiFailure, connect, type ServerConnection, type ServerFlags, withServerFlags } from './server-client.js';

interface TailFlags extends ServerFlags {
  app?: string;
  endpoint?: string;
  json?: boolean;
}

export interface AttemptEvent {
  id: string;
  appId: string;
  endpointId: string;
  url: string;
  deliveryId: string;
  messageId: string;
  eventType: string;
  number: number;
  startedAt: string;
  durationMs: number;
  responseStatus: number | null;
  error: AttemptError | null;
  outcome: 'succeeded' | 'retrying' | 'failed';
  /** Added by tail, for a `retrying` attempt that is its delivery's latest: when the next attempt is due. */
  nextAttemptAt?: string | null;
}

/** "in 5m (12:05:00)", "now" for one already due; the time is the clock's, as the lines' own times are. */
export function dueIn(at: string, now: number): string {
  const ms = Date.parse(at) - now;
  if (ms <= 0) return 'now';
  const s = Math.round(ms / 1000);
  const span = s < 1 ? `${ms} ms` : s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
  return `in ${span} (${at.slice(11, 19)})`;
}

/**
 * When a retrying attempt's next one is due: read from its delivery, so only for the delivery's latest attempt
 * (an older one, streamed on a resume, would show the delivery's current state). Null when unknown or not pending.
 */
async function nextAttemptOf(connection: ServerConnection, a: AttemptEvent): Promise<string | null> {
  if (a.outcome !== 'retrying') return null;
  try {
    const response = await fetch(
      `${connection.baseUrl}/v1/apps/${encodeURIComponent(a.appId)}/deliveries/${encodeURIComponent(a.deliveryId)}`,
      { headers: { authorization: `Bearer ${connection.token}` }, signal: AbortSignal.timeout(5_000) },
    );
    if (!response.ok) return null;
    const delivery = (await response.json()) as { attemptCount?: number; nextAttemptAt?: string | null };
    return delivery.attemptCount === a.number ? (delivery.nextAttemptAt ?? null) : null;
  } catch {
    return null;
  }
}

function attemptLine(p: Paint, a: AttemptEvent): string {
  const colour = a.outcome === 'succeeded' ? p.green : a.outcome === 'failed' ? p.red : p.yellow;
  const mark = a.outcome === 'succeeded' ? '✓' : a.outcome === 'failed' ? '✗' : '↻';
  // No answer: the error code takes the status's place. The code leads what the line says about a failure, since
  // it is what to look up (the README's attempt error table) and what to grep for.
  const answer = a.responseStatus === null ? (a.error?.code ?? 'no answer') : String(a.responseStatus);
  const why =
    a.error === null ? [] : [p.dim(a.responseStatus === null ? a.error.message : `${a.error.code}: ${a.error.message}`)];
  return [
    p.dim(a.startedAt.slice(11, 23)),
    colour(`${mark} ${a.outcome.padEnd(9)}`),
    colour(answer.padStart(3)),
    p.dim(`${a.durationMs}ms`.padStart(7)),
    p.bold(a.eventType),
    `→ ${a.url}`,
    p.dim(`${a.deliveryId} #${a.number}`),
    ...why,
    ...(a.nextAttemptAt ? [p.yellow(`next attempt ${dueIn(a.nextAttemptAt, Date.now())}`)] : []),
  ].join('  ');
}

/** Reads one SSE response, calling `onEvent` per event; resolves when the stream ends. */
async function readStream(
  response: Response,
  onEvent: (id: string | null, event: string, data: string) => void | Promise<void>,
): Promise<void> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return;
  let buffer = '';
  let id: string | null = null;
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length > 0) await onEvent(id, event, data.join('\n'));
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = text;
        else if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
      newline = buffer.indexOf('\n');
    }
  }
}

/** Opens the stream; its failures read as those of every other API call (server-client's apiFailure). */
async function open(connection: ServerConnection, path: string, lastEventId: string | null): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${connection.token}`, accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  let response: Response;
  try {
    response = await fetch(connection.baseUrl + path, { headers });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw apiFailure(new HookdApiError('network_error', reason, null), connection.baseUrl);
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = (body?.error?.code ?? 'invalid_response') as HookdErrorCode;
  throw apiFailure(
    new HookdApiError(code, body?.error?.message ?? `hookd answered ${response.status}`, response.status),
    connection.baseUrl,
  );
}

export function tailCommand(): Command {
  return withServerFlags(
    new Command('tail')
      .description('Stream delivery attempts from a running hookd as they happen, one line each, coloured by outcome')
      .option('--app <app>', 'only this app (id or uid); default every app')
      .option('--endpoint <id>', 'only this endpoint')
      .option('--json', 'print each attempt as one JSON line'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Each line: time, outcome (✓ succeeded, ↻ retrying, ✗ failed: no retry left), status or error, duration,',
        'event type, endpoint URL, delivery id and attempt number; a retrying one ends with when the next attempt is',
        'due ("next attempt in 5m (12:05:00)"; nextAttemptAt with --json). The stream resumes by itself if hookd restarts.',
        '',
        'Examples:',
        '  hookd tail --app acme',
        '  hookd tail --app acme --endpoint ep_01J… --json | jq .responseStatus',
        '',
        'Exit codes: 0 stopped with Ctrl-C, 1 bad flags, 2 hookd refused (token), 3 hookd could not be reached, 4 no such app.',
      ].join('\n'),
    )
    .action(async (flags: TailFlags) => {
      if (flags.endpoint && !flags.app)
        throw new CliError('--endpoint needs --app', EXIT.usage, 'e.g. hookd tail --app acme --endpoint ep_…');
      const connection = connect(flags);
      const query = flags.endpoint ? `?endpoint=${encodeURIComponent(flags.endpoint)}` : '';
      const path = flags.app
        ? `/v1/apps/${encodeURIComponent(flags.app)}/attempts/stream${query}`
        : `/v1/attempts/stream${query}`;
      const out = paintFor(process.stdout);
      const err = paintFor(process.stderr);
      process.on('SIGINT', () => process.exit(EXIT.ok));
      process.on('SIGTERM', () => process.exit(EXIT.ok));

      let lastEventId: string | null = null;
      let response = await open(connection, path, lastEventId);
      process.stderr.write(
        err.dim(
          `tailing ${flags.app ? `app ${flags.app}` : 'every app'}${flags.endpoint ? `, endpoint ${flags.endpoint}` : ''} at ${connection.baseUrl} (Ctrl-C to stop)\n`,
        ),
      );
      for (;;) {
        try {
          await readStream(response, async (id, event, data) => {
            if (id) lastEventId = id;
            if (event !== 'attempt') return;
            const attempt = JSON.parse(data) as AttemptEvent;
            if (attempt.outcome === 'retrying') attempt.nextAttemptAt = await nextAttemptOf(connection, attempt);
            if (flags.json) printJson(attempt);
            else process.stdout.write(`${attemptLine(out, attempt)}\n`);
          });
        } catch {
          // The connection broke: reconnect below, from the last attempt seen.
        }
        process.stderr.write(err.yellow('stream ended; reconnecting…\n'));
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          try {
            response = await open(connection, path, lastEventId);
            process.stderr.write(err.dim('reconnected\n'));
            break;
          } catch (error) {
            if (error instanceof CliError && error.exitCode !== EXIT.unreachable) throw error;
          }
        }
      }
    });
}
