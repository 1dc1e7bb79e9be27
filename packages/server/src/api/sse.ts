/**
 * Server-Sent Events for fastify routes: streams what a store poll returns, resumable with `Last-Event-ID`.
 *
 * It polls rather than waits on an in-process signal, so a stream served by an API process sees events
 * written by any other process sharing the database (PostgreSQL with separate api and worker roles).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SYSTEM_TIMERS, type Timers } from '../domain/index.js';
import { ApiError } from './errors.js';

export interface SseEvent {
  /** Sent as `id:`; a client that reconnects names the last one it saw, and the stream resumes after it. */
  id: string;
  /** Sent as `event:`, the name an EventSource listens for. */
  event: string;
  /** Sent as `data:`, JSON-encoded on one line. */
  data: unknown;
}

export interface SseOptions {
  /**
   * The events after `afterId`, oldest first (null: from wherever the stream starts). Returning fewer than the
   * stream can take means "that is all for now": the next poll comes after `intervalMs`; a non-empty answer
   * is followed by another poll at once, so a backlog drains as fast as the client reads.
   */
  poll(afterId: string | null): Promise<SseEvent[]>;
  /**
   * Where a client that names no last event starts: e.g. the newest id now, so it gets only what comes next.
   * Default null: the first poll is `poll(null)`.
   */
  start?(): Promise<string | null>;
  /** Checked after each poll's events are sent: true ends the stream (what it follows has finished). */
  finished?(): boolean;
  /** Time between polls when there was nothing new; default 500 ms. */
  intervalMs?: number;
  /** Time between `: heartbeat` comments, which keep proxies and idle timeouts from closing the stream; default 15 s. */
  heartbeatMs?: number;
  /** Told about a poll that threw; the stream keeps polling, since the store may come back. */
  onPollError?(error: unknown): void;
  /** For the polls, heartbeats and credential re-checks; the global ones unless a test drives time. */
  timers?: Timers;
}

/** How a stream learns that the credential it was opened with no longer holds (revoked, expired, signed out). */
export interface AccessCheck {
  /** True while the credential still holds. */
  stillAllowed(): Promise<boolean>;
  /** Time between checks. */
  intervalMs: number;
}

/** The event a stream sends last when its credential ended, so a client stops instead of reconnecting. */
const ACCESS_ENDED_EVENT = 'access-ended';

const accessChecks = new WeakMap<FastifyRequest, AccessCheck>();

/**
 * Registered by whatever authenticated the request (the /v1 token hook, the dashboard's session hook). A stream
 * checks once at the start otherwise, so a revoked token or an ended session would keep it open for hours.
 */
export function guardStream(request: FastifyRequest, check: AccessCheck): void {
  accessChecks.set(request, check);
}

/**
 * Takes over the reply and streams events until the client goes away or the server closes. Resumes after the
 * `Last-Event-ID` header, else the `after` query parameter, else `options.start()`. Resolves when the stream ends.
 */
export async function streamEvents(request: FastifyRequest, reply: FastifyReply, options: SseOptions): Promise<void> {
  const access = accessChecks.get(request);
  // Fails closed: a stream on a route that registered no check is a bug, not an open door.
  if (!access) throw new ApiError('unauthorized', 'this stream has no credential check');
  const intervalMs = options.intervalMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const timers = options.timers ?? SYSTEM_TIMERS;
  const lastEventId = request.headers['last-event-id'];
  const query = request.query as { after?: unknown } | undefined;
  let after: string | null =
    typeof lastEventId === 'string' && lastEventId !== ''
      ? lastEventId
      : typeof query?.after === 'string' && query.after !== ''
        ? query.after
        : ((await options.start?.()) ?? null);

  // From here on fastify no longer answers for this request: the stream is written on the raw response.
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // Proxies such as nginx would otherwise hold events back in their buffer.
    'x-accel-buffering': 'no',
    // The socket ends with the stream, so a server shutting down is not held up by a connection kept alive.
    connection: 'close',
  });
  // A first comment sends the headers now, so the client knows the stream is open before any event.
  res.write(': stream open\n\n');

  let open = true;
  let wake: (() => void) | null = null;
  const stop = () => {
    open = false;
    wake?.();
  };
  res.on('close', stop); // the client went away (or the response ended)
  let heartbeat: unknown;
  const beatLater = () => {
    heartbeat = unref(
      timers.setTimeout(() => {
        if (open) res.write(': heartbeat\n\n');
        beatLater();
      }, heartbeatMs),
    );
  };
  beatLater();
  const server = request.server.server;
  const serverClosing = () => !server.listening;
  let ended = false;
  let checkTimer: unknown = null;
  const recheck = async () => {
    let allowed = true;
    try {
      allowed = await access.stillAllowed();
    } catch (error) {
      options.onPollError?.(error); // the store may be down for a moment: the stream keeps going, like its polls
    }
    if (!open) return;
    if (!allowed) {
      ended = true;
      stop();
      // A client that stopped reading holds the loop in drained(): cut it off rather than wait for it.
      if (res.writableNeedDrain) res.destroy();
      return;
    }
    checkTimer = unref(timers.setTimeout(recheck, access.intervalMs));
  };
  checkTimer = unref(timers.setTimeout(recheck, access.intervalMs));

  try {
    while (open && !serverClosing()) {
      let events: SseEvent[] = [];
      try {
        events = await options.poll(after);
      } catch (error) {
        options.onPollError?.(error);
      }
      for (const event of events) {
        if (!open) break;
        // data is one JSON line: JSON.stringify escapes newlines, so it cannot end the event early.
        const frame = `id: ${oneLine(event.id)}\nevent: ${oneLine(event.event)}\ndata: ${JSON.stringify(event.data)}\n\n`;
        after = event.id;
        // A slow reader: wait for its buffer to drain rather than pile the backlog up in memory.
        if (!res.write(frame)) await drained(res, () => open);
      }
      if (options.finished?.()) break;
      if (events.length > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = timers.setTimeout(resolve, intervalMs);
        wake = () => {
          timers.clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    timers.clearTimeout(heartbeat);
    if (checkTimer !== null) timers.clearTimeout(checkTimer);
    if (ended && !res.writableEnded && !res.destroyed) {
      res.write(`event: ${ACCESS_ENDED_EVENT}\ndata: ${JSON.stringify({ reason: 'the credential was revoked or expired' })}\n\n`);
    }
    res.off('close', stop);
    if (!res.writableEnded) res.end();
  }
}

/** Lets the process exit with a stream open: a Node timer is unref'd, a test's own is left as it is. */
function unref(handle: unknown): unknown {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}

/** Ids and event names are one line each in the protocol; a line break would start a new field. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

function drained(res: NodeJS.WritableStream, stillOpen: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    if (!stillOpen()) done();
  });
}
