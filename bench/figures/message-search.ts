/**
 * Finding one message among 1,000,000 of one app: by id, by content (`data.order_id:N`), and paging forward and back,
 * through the store's listMessages as the API calls it. The messages (order events of about 300 bytes, one a ms) are
 * written straight into a fresh database with one SQL statement. Content search is timed without its index first
 * (SQLite: no declared field, so only the newest 50,000 are searched; PostgreSQL: a full scan, the GIN index not yet
 * built), then with it (SQLite: HOOKD_SEARCH_FIELDS' expression index on data.order_id; PostgreSQL: migration 20's
 * GIN index). Each figure is the median of its runs, values drawn from a fixed seed.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type ContentCriterion, parseContentCriteria } from '../../packages/server/src/domain/index.js';
import { openStore, type Store } from '../../packages/server/src/store/index.js';
import { anApp, T0 } from '../../packages/server/test/store/fixtures.js';
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase } from '../hookd.js';
import { seededRandom } from '../seeded.js';

const MESSAGES = 1_000_000;
const RUNS = 15;
const SLOW_RUNS = 3;
const SEED = 0x5eed_0020;

/** Zero-padded sequence numbers sort as the time-ordered ids publish makes. */
const idOf = (i: number) => `msg_${String(i).padStart(26, '0')}`;

const SQLITE_FILL = `
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${MESSAGES - 1})
  INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at)
  SELECT 'msg_' || printf('%026d', i), @app, 'order.created',
    json_object('type', 'order.created', 'timestamp', '2026-01-01T00:00:00Z', 'data', json_object(
      'order_id', i, 'customer', json_object('id', 'cus_' || (i % 5000), 'email', 'c' || (i % 5000) || '@example.com'),
      'amount', (i * 7919) % 100000, 'currency', 'EUR', 'lines', json_array(json_object('sku', 'sku-' || (i % 97), 'qty', 1 + i % 3)))),
    'key-' || i, ${T0} + i
  FROM n`;
const POSTGRES_FILL = `
  INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at)
  SELECT 'msg_' || lpad(i::text, 26, '0'), $1, 'order.created',
    json_build_object('type', 'order.created', 'timestamp', '2026-01-01T00:00:00Z', 'data', json_build_object(
      'order_id', i, 'customer', json_build_object('id', 'cus_' || (i % 5000), 'email', 'c' || (i % 5000) || '@example.com'),
      'amount', (i * 7919) % 100000, 'currency', 'EUR', 'lines', json_build_array(json_build_object('sku', 'sku-' || (i % 97), 'qty', 1 + i % 3))))::text,
    'key-' || i, ${T0}::bigint + i
  FROM generate_series(0::bigint, ${MESSAGES - 1}) AS i`;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function timed(runs: number, once: (run: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await once(run);
    times.push(performance.now() - start);
  }
  return median(times);
}

interface Timings {
  fillMs: number;
  indexBuildMs: number;
  idLookupMs: number;
  contentNoIndexMs: number;
  contentNoIndexScope: string;
  contentIndexedMs: number;
  firstPageMs: number;
  pageForwardMs: number;
  pageBackMs: number;
  contentPagesMs: number;
}

async function measure(backend: Backend): Promise<Timings> {
  const db = await createDatabase(backend);
  const store: Store = await openStore(db.url);
  const random = seededRandom(SEED);
  const pick = () => Math.floor(random() * MESSAGES);
  let postgres: pg.Client | null = null;
  try {
    const app = await store.createApp(anApp());
    const find = (content: ContentCriterion[], page: { after?: string; before?: string } = {}) =>
      store.listMessages(app.id, { content }, { limit: 50, ...page });
    const orderIs = (n: number) => parseContentCriteria([`data.order_id:${n}`]);
    let fillStart = performance.now();
    if (backend === 'SQLite') {
      const raw = new Database(db.url.slice('sqlite:'.length));
      raw.prepare(SQLITE_FILL).run({ app: app.id });
      raw.close();
    } else {
      postgres = new pg.Client({ connectionString: db.url });
      // Dropping the database ends this connection: an error then is not the bench's.
      postgres.on('error', () => {});
      await postgres.connect();
      // The GIN index is built after the fill, as CREATE INDEX would on an existing table, and timed.
      await postgres.query('DROP INDEX messages_payload_search');
      fillStart = performance.now();
      await postgres.query(POSTGRES_FILL, [app.id]);
      await postgres.query('ANALYZE messages');
    }
    const fillMs = performance.now() - fillStart;

    const idLookupMs = await timed(RUNS, async () => {
      const page = await store.listMessages(app.id, { id: idOf(pick()) }, { limit: 50 });
      if (page.data.length !== 1) throw new Error('bench: the id lookup found no message');
    });
    // An order in the oldest half, so the SQLite scan of the newest 50,000 never reaches it: the cost of a miss.
    const contentNoIndexMs = await timed(backend === 'SQLite' ? RUNS : SLOW_RUNS, async () => {
      const page = await find(orderIs(Math.floor(pick() / 2)));
      if (backend === 'PostgreSQL' && page.data.length !== 1) throw new Error('bench: the scan missed the order');
    });
    const plan = (await find(orderIs(0))).search;
    const contentNoIndexScope = plan?.scanLimit ? `newest ${plan.scanLimit.toLocaleString('en-US')}` : 'all';

    const buildStart = performance.now();
    if (backend === 'SQLite') await store.declareSearchFields([['data', 'order_id']]);
    else
      await postgres?.query(
        'CREATE INDEX messages_payload_search ON messages USING gin (hookd_payload_json(payload) jsonb_path_ops)',
      );
    const indexBuildMs = performance.now() - buildStart;
    await postgres?.query('ANALYZE messages');
    const contentIndexedMs = await timed(RUNS, async () => {
      const page = await find(orderIs(pick()));
      if (page.data.length !== 1 || page.search?.indexed !== true) throw new Error('bench: the indexed search missed');
    });

    const firstPageMs = await timed(RUNS, async () => {
      await store.listMessages(app.id, {}, { limit: 50 });
    });
    const pageForwardMs = await timed(RUNS, async () => {
      const page = await store.listMessages(app.id, {}, { limit: 50, after: idOf(pick()) });
      if (page.data.length === 0 && page.prevCursor === null) throw new Error('bench: an empty page');
    });
    const pageBackMs = await timed(RUNS, async () => {
      await store.listMessages(app.id, {}, { limit: 50, before: idOf(pick()) });
    });
    // 200 orders of one customer (every 5,000th message), 50 a page: forward to the last page and back to the first.
    const customer = parseContentCriteria([`data.customer.id:cus_${pick() % 5000}`]);
    if (backend === 'SQLite')
      await store.declareSearchFields([
        ['data', 'order_id'],
        ['data', 'customer', 'id'],
      ]);
    const contentPagesMs = await timed(SLOW_RUNS, async () => {
      let page = await find(customer);
      let pages = 1;
      while (page.nextCursor) {
        page = await find(customer, { after: page.nextCursor });
        pages++;
      }
      while (page.prevCursor) {
        page = await find(customer, { before: page.prevCursor });
        pages++;
      }
      if (pages !== 7) throw new Error(`bench: paging the customer's 200 orders took ${pages} pages, not 7`);
    });
    return {
      fillMs,
      indexBuildMs,
      idLookupMs,
      contentNoIndexMs,
      contentNoIndexScope,
      contentIndexedMs,
      firstPageMs,
      pageForwardMs,
      pageBackMs,
      contentPagesMs,
    };
  } finally {
    await postgres?.end().catch(() => {});
    await store.close();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'message-search',
  description: 'finding a message among 1,000,000: id, content with and without its index, paging both ways',
  async run(): Promise<Row[]> {
    const rows: Row[] = [];
    for (const backend of ['SQLite', 'PostgreSQL'] as const) {
      console.error(`  message-search: filling ${MESSAGES.toLocaleString('en-US')} messages on ${backend}`);
      const t = await measure(backend);
      console.error(`  message-search: ${backend} ${JSON.stringify(t)}`);
      const details = { messages: MESSAGES, runs: RUNS, fillMs: Math.round(t.fillMs), indexBuildMs: Math.round(t.indexBuildMs) };
      const ms = (figure: string, value: number, extra: Record<string, unknown> = {}) =>
        bounded({
          figure: `${backend}, ${figure}`,
          value,
          unit: 'ms',
          better: 'lower',
          bound: 50,
          details: { ...details, ...extra },
        });
      rows.push(
        ms('message by id', t.idLookupMs),
        compared({
          figure: `${backend}, content data.order_id:N with its index`,
          value: t.contentIndexedMs,
          unit: 'ms',
          better: 'lower',
          baseline: { name: `without the index, searching ${t.contentNoIndexScope}`, value: t.contentNoIndexMs },
          bound: 50,
          details,
        }),
        ms('newest page of 50', t.firstPageMs),
        ms('a page forward (after)', t.pageForwardMs),
        ms('a page back (before)', t.pageBackMs),
        ms("a customer's 200 orders paged 4 forward and 3 back, per page", t.contentPagesMs / 7, {
          sevenPagesMs: t.contentPagesMs,
        }),
      );
    }
    return rows;
  },
};

export default figure;
