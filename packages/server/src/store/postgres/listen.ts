/**
 * Wake-ups across processes: one dedicated connection LISTENs on the channel that publishes, retries and replays
 * NOTIFY. When the connection drops it reconnects by itself, backing off, then calls the listener once because
 * deliveries may have fallen due while nobody was listening.
 *
 * A publish wakes one worker, not all: its NOTIFY carries a number (`chosenWake`), and of the listening connections to
 * the same schema (the channel is the database's, so their application_name names the schema), ordered by backend
 * pid, the one at that number modulo their count takes it; a listener of another schema may wake for nothing. Each
 * listener reads who is listening every MEMBERS_REFRESH_MS, so for that long after a worker comes or goes a wake-up may
 * reach none (the workers' poll finds the deliveries) or two. A NOTIFY without a payload wakes every listener.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Wake } from '../queue-store.js';

export const DUE_CHANNEL = 'hookd_due';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
const MEMBERS_REFRESH_MS = 1_000;
const LISTENER_NAME = 'hookd-listen';
const NAME_BY_SCHEMA = `SELECT set_config('application_name', '${LISTENER_NAME} ' || coalesce(current_schema(), ''), false)`;
// pg_stat_activity shows every session's pid and application_name to every role.
const MEMBERS = `
  SELECT array_position(pids, pg_backend_pid()) - 1 AS rank, cardinality(pids) AS count
  FROM (SELECT array(
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = current_setting('application_name')
    ORDER BY pid
  ) AS pids) listening`;

/** The payload of a NOTIFY that one listener is to take: which one, the listeners work out among themselves. */
export function chosenWake(): string {
  return String(randomInt(2 ** 31));
}

/** Resolves once listening (or rejects if the first connection fails) to a function that stops for good. */
export async function listenForDue(config: pg.ClientConfig, listener: (wake: Wake) => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let stopped = false;

  async function connect(): Promise<void> {
    const next = new pg.Client({ ...config, application_name: LISTENER_NAME });
    // Where this connection stands among the listeners; unknown (null) until read, and then every wake-up is taken.
    let members: { rank: number; count: number } | null = null;
    const readMembers = async () => {
      const { rows } = await next.query<{ rank: number | null; count: number }>(MEMBERS);
      const row = rows[0];
      members = row && row.rank !== null && row.count > 0 ? { rank: row.rank, count: row.count } : null;
    };
    const refresh = setInterval(() => readMembers().catch(() => {}), MEMBERS_REFRESH_MS);
    refresh.unref();
    // An error on this connection is always followed by 'end', where the reconnection starts.
    next.on('error', () => {});
    next.on('notification', (note) => {
      if (note.channel !== DUE_CHANNEL) return;
      // Not chosen among several: the only listener, or one that does not know who else listens, takes every wake-up.
      if (!note.payload || members === null || members.count === 1) return listener('every');
      if (Number(note.payload) % members.count === members.rank) listener('chosen');
    });
    next.on('end', () => {
      clearInterval(refresh);
      if (client !== next) return; // never listened, or stopped on purpose
      client = null;
      reconnectLater();
    });
    try {
      await next.connect();
      await next.query(NAME_BY_SCHEMA);
      await next.query(`LISTEN ${DUE_CHANNEL}`);
      await readMembers();
    } catch (error) {
      clearInterval(refresh);
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
          if (!stopped) listener('every');
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
