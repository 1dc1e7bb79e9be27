/**
 * Wake-ups across processes: one dedicated connection LISTENs on the channel that publishes, retries and replays
 * NOTIFY. When the connection drops it reconnects by itself, backing off, then calls the listener once because
 * deliveries may have fallen due while nobody was listening.
 */
import pg from 'pg';

export const DUE_CHANNEL = 'hookd_due';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Resolves once listening (or rejects if the first connection fails) to a function that stops for good. */
export async function listenForDue(config: pg.ClientConfig, listener: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let stopped = false;

  async function connect(): Promise<void> {
    const next = new pg.Client({ ...config, application_name: 'hookd-listen' });
    // An error on this connection is always followed by 'end', where the reconnection starts.
    next.on('error', () => {});
    next.on('notification', (note) => {
      if (note.channel === DUE_CHANNEL) listener();
    });
    next.on('end', () => {
      if (client !== next) return; // never listened, or stopped on purpose
      client = null;
      reconnectLater();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${DUE_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) await next.end();
    else client = next;
  }

  function reconnectLater(): void {
    if (stopped) return;
    // Doubling, with jitter so that workers which lost the same server do not all come back at once.
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures) * (0.5 + Math.random() / 2);
    failures++;
    timer = setTimeout(() => {
      timer = null;
      connecting = connect().then(
        () => {
          failures = 0;
          if (!stopped) listener();
        },
        () => reconnectLater(),
      );
    }, delay);
    timer.unref();
  }

  await connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await connecting;
    const last = client;
    client = null;
    await last?.end().catch(() => {});
  };
}
