/**
 * History that does not slow the queue (PostgreSQL, partitioned by day): publish and drain rates on a database holding
 * HOOKD_BENCH_HISTORY_ATTEMPTS attempts of history (10,000,000 by default; one delivery per message, three attempts
 * per delivery, spread over 31 past days) beside the same on an empty database; the time retention takes to free the
 * oldest day of it (a 30-day retention); table and index sizes before and after.
 * The history is written by INSERT … SELECT from generate_series, not through the API, with ids made as hookd makes
 * them (time first), so each row lands in its day's partition.
 */
import pg from 'pg';
import pino from 'pino';
import { RetentionLoop } from '../../packages/server/src/ops/index.js';
import { openStore, type Store } from '../../packages/server/src/store/index.js';
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment } from '../hookd.js';
import { arrivalRate, type Receivers, startReceivers, waitFor } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const DAY = 86_400_000;
const HISTORY_DAYS = 31;
const RETENTION_DAYS = 30;
const ATTEMPTS_PER_DELIVERY = 3;
const ATTEMPTS = Number(process.env.HOOKD_BENCH_HISTORY_ATTEMPTS ?? 10_000_000);
/** Messages published, then drained, for each rate. */
const MESSAGES = 3_000;
const SEED = 0x5eed_0021;
/** Rows per INSERT: one day of one table at a time, so the fill shows progress and no transaction is huge. */
const TABLES = ['messages', 'deliveries', 'attempts'] as const;

/** SQL for the 10 time characters of an id made at `t` (a bigint expression), as domain/ids.ts encodes them. */
function idTime(t: string): string {
  const alphabet = "'0123456789ABCDEFGHJKMNPQRSTVWXYZ'";
  return Array.from({ length: 10 }, (_, i) => `substr(${alphabet}, ((${t} >> ${5 * (9 - i)}) & 31)::int + 1, 1)`).join(' || ');
}

/** One day of history: `perDay` messages, each with a succeeded delivery and its attempts, spread over the day. */
async function fillDay(db: pg.Pool, day: number, perDay: number, first: number, ids: { app: string; endpoint: string }) {
  const spread = `(${day}::bigint + ((i - ${first})::bigint * ${DAY - 10_000}) / ${perDay})`;
  const random = `lpad(i::text, 16, '0')`;
  const numbers = `generate_series(${first}, ${first + perDay - 1}) AS i`;
  const payload = JSON.stringify({ type: 'order.created', data: { id: 1, total: 42, note: 'x'.repeat(120) } });
  await db.query(
    `INSERT INTO messages (id, app_id, type, payload, created_at)
     SELECT 'msg_' || ${idTime(spread)} || ${random}, $1, 'order.created', $2, ${spread} FROM ${numbers}`,
    [ids.app, payload],
  );
  await db.query(
    `INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, created_at, updated_at)
     SELECT 'dlv_' || ${idTime(spread)} || ${random}, $1, 'msg_' || ${idTime(spread)} || ${random}, $2, 'succeeded',
       ${ATTEMPTS_PER_DELIVERY}, ${ATTEMPTS_PER_DELIVERY}, ${spread}, ${spread} + 2000 FROM ${numbers}`,
    [ids.app, ids.endpoint],
  );
  const started = `(${spread} + k * 1000)`;
  await db.query(
    `INSERT INTO attempts (id, delivery_id, endpoint_id, number, started_at, duration_ms, request_headers, response_status,
       response_body, error_code, error_message)
     SELECT 'atm_' || ${idTime(started)} || lpad((i * ${ATTEMPTS_PER_DELIVERY} + k)::text, 16, '0'),
       'dlv_' || ${idTime(spread)} || ${random}, $1, k + 1, ${started}, 12, '{"content-type":"application/json"}',
       CASE WHEN k = ${ATTEMPTS_PER_DELIVERY - 1} THEN 200 ELSE 503 END, 'ok',
       CASE WHEN k = ${ATTEMPTS_PER_DELIVERY - 1} THEN NULL ELSE 'http_status' END,
       CASE WHEN k = ${ATTEMPTS_PER_DELIVERY - 1} THEN NULL ELSE 'HTTP 503' END
     FROM ${numbers}, generate_series(0, ${ATTEMPTS_PER_DELIVERY - 1}) AS k`,
    [ids.endpoint],
  );
}

interface Sizes {
  table: Record<string, number>;
  index: Record<string, number>;
}

/** Table (heap and TOAST) and index bytes of each history table, over all its partitions (deliveries have none). */
async function sizes(db: pg.Pool): Promise<Sizes> {
  const result: Sizes = { table: {}, index: {} };
  for (const table of TABLES) {
    const { rows } = await db.query(
      `SELECT coalesce(sum(pg_table_size(relid)), 0)::bigint AS t, coalesce(sum(pg_indexes_size(relid)), 0)::bigint AS i
       FROM (SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf UNION SELECT $1::regclass WHERE $2::boolean) AS leaves`,
      [table, table === 'deliveries'],
    );
    result.table[table] = Number(rows[0].t);
    result.index[table] = Number(rows[0].i);
  }
  return result;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Publishes MESSAGES events over HTTP to an app with one endpoint, then lets one worker drain them: both rates. */
async function rates(url: string, receivers: Receivers, bodies: readonly string[]): Promise<{ publish: number; drain: number }> {
  // Retention far off: the figures measure the queue beside the history, not a retention pass at the worker's start.
  const deployment = new Deployment(url, { HOOKD_RETENTION: '400d' });
  try {
    await deployment.startApi('api');
    await deployment.createApp(receivers.urls);
    const began = performance.now();
    const ids = await deployment.publishAll(bodies);
    const publish = ids.length / ((performance.now() - began) / 1000);
    receivers.clear();
    await deployment.startWorkers(1);
    const map = receivers.arrivals[0] as Map<string, number>;
    await waitFor(() => map.size >= ids.length, 300_000, 'the backlog to drain');
    return { publish, drain: arrivalRate(receivers) };
  } finally {
    await deployment.stop();
  }
}

/** The bench's database made as a long-running hookd would have it: a partition per past day, the history filled in. */
async function fillHistory(url: string, store: Store, now: number): Promise<{ seconds: number; firstDay: number }> {
  const db = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const today = Math.floor(now / DAY) * DAY;
    const firstDay = today - HISTORY_DAYS * DAY;
    // A fresh database: the empty legacy partitions go, and day partitions start with the history's first day.
    await db.query('DROP TABLE messages_legacy, attempts_legacy');
    await db.query('UPDATE history_partitioning SET partitioned_from = $1', [firstDay]);
    for (let day = firstDay; day <= today; day += DAY) await store.maintainHistory({ now: day, cutoff: 0, daysAhead: 3 });
    const { rows } = await db.query(
      "INSERT INTO apps (id, uid, name, created_at, updated_at) VALUES ('app_history', 'history', 'History', $1, $1) RETURNING id",
      [firstDay],
    );
    await db.query(
      `INSERT INTO endpoints (id, app_id, url, description, signature_scheme, secret, created_at, updated_at)
       VALUES ('ep_history', $1, 'http://127.0.0.1:9/history', '', 'standard', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $2, $2)`,
      [rows[0].id, firstDay],
    );
    const perDay = Math.ceil(ATTEMPTS / ATTEMPTS_PER_DELIVERY / HISTORY_DAYS);
    const began = performance.now();
    for (let d = 0; d < HISTORY_DAYS; d++) {
      await fillDay(db, firstDay + d * DAY, perDay, d * perDay, { app: 'app_history', endpoint: 'ep_history' });
      process.stderr.write(
        `history: day ${d + 1}/${HISTORY_DAYS} filled (${Math.round((performance.now() - began) / 1000)} s)\n`,
      );
    }
    await db.query('VACUUM ANALYZE messages, deliveries, attempts');
    return { seconds: (performance.now() - began) / 1000, firstDay };
  } finally {
    await db.end();
  }
}

const figure: Figure = {
  name: 'history',
  description: `PostgreSQL publish and drain rates beside ${ATTEMPTS.toLocaleString('en-US')} attempts of partitioned history, and retention freeing a day of it`,
  async run(): Promise<Row[]> {
    const receivers = await startReceivers([{ kind: 'fast' }]);
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: MESSAGES }, () => seededJsonBody(random, 1024));
    const empty = await createDatabase('PostgreSQL');
    const full = await createDatabase('PostgreSQL');
    try {
      const onEmpty = await rates(empty.url, receivers, bodies);
      const now = Date.now();
      const store = await openStore(full.url, { poolSize: 4 });
      const db = new pg.Pool({ connectionString: full.url, max: 1 });
      try {
        const filled = await fillHistory(full.url, store, now);
        const before = await sizes(db);
        const onFull = await rates(full.url, receivers, bodies);
        const loop = new RetentionLoop({
          store,
          maxAgeMs: RETENTION_DAYS * DAY,
          auditMaxAgeMs: 400 * DAY,
          intervalMs: 3_600_000,
          logger: pino({ level: 'silent' }),
          clock: () => now,
        });
        // The drop alone: the oldest day, wholly past the horizon, in whole partitions.
        const dropBegan = performance.now();
        const maintained = await store.maintainHistory({ now, cutoff: now - RETENTION_DAYS * DAY, daysAhead: 3 });
        const dropSeconds = (performance.now() - dropBegan) / 1000;
        // Then a whole pass, as the loop runs it: the day straddling the horizon is purged row by row, in batches.
        const passBegan = performance.now();
        const purged = await loop.purge();
        const passSeconds = (performance.now() - passBegan) / 1000;
        const after = await sizes(db);
        const details = {
          attempts: ATTEMPTS,
          historyDays: HISTORY_DAYS,
          fillSeconds: Math.round(filled.seconds),
          dropped: maintained.dropped,
          rowWisePurged: purged,
          rowWisePassSeconds: Math.round(passSeconds * 10) / 10,
          tableMiB: { before: Object.fromEntries(TABLES.map((t) => [t, mib(before.table[t] ?? 0)])) },
          indexMiB: { before: Object.fromEntries(TABLES.map((t) => [t, mib(before.index[t] ?? 0)])) },
          tableMiBAfter: Object.fromEntries(TABLES.map((t) => [t, mib(after.table[t] ?? 0)])),
          indexMiBAfter: Object.fromEntries(TABLES.map((t) => [t, mib(after.index[t] ?? 0)])),
        };
        process.stderr.write(`history: ${JSON.stringify(details)}\n`);
        const label = `${(ATTEMPTS / 1e6).toLocaleString('en-US')}M attempts of history`;
        return [
          compared({
            figure: `PostgreSQL publish rate beside ${label} vs empty`,
            value: onFull.publish,
            unit: 'publishes/s',
            better: 'higher',
            baseline: { name: 'empty database', value: onEmpty.publish },
            details,
          }),
          compared({
            figure: `PostgreSQL drain rate (1 worker) beside ${label} vs empty`,
            value: onFull.drain,
            unit: 'deliveries/s',
            better: 'higher',
            baseline: { name: 'empty database', value: onEmpty.drain },
          }),
          bounded({
            figure: `retention dropping one day of ${label} (whole partitions)`,
            value: dropSeconds,
            unit: 's',
            better: 'lower',
          }),
        ];
      } finally {
        await db.end();
        await store.close();
      }
    } finally {
      await receivers.close();
      await empty.drop();
      await full.drop();
    }
  },
};

export default figure;
