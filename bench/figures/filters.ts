/**
 * Endpoint filters at fan-out: publishes per second to an app of 1,000 endpoints, each with a filter of its own
 * (half of them match: 500 pending and 500 skipped rows a publish; none match: 1,000 skipped rows), beside the same
 * fan-out without filters (1,000 pending rows), in the same run, through the publish action on an open store
 * (SQLite, then PostgreSQL), one publish at a time. A last row times the filters alone (1,000 evaluated per message,
 * no store): what the filters cost, apart from the rows they write.
 */
import { performance } from 'node:perf_hooks';
import { publishEvent } from '../../packages/server/src/actions/index.js';
import { type EndpointFilter, newEndpoint, skipByFilter } from '../../packages/server/src/domain/index.js';
import { openStore, type Store } from '../../packages/server/src/store/index.js';
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { type Backend, createDatabase } from '../hookd.js';

const ENDPOINTS = 1_000;
const WARMUP = 10;
const MEASURED = 100;
const EVENT = { type: 'invoice.paid', data: { amount: 500, currency: 'EUR', customer: { id: 'cus_1', email: 'a@example.com' } } };

type Variant = 'no filters' | 'filters, half match' | 'filters, none match';
const FILTER_OF: Record<Variant, (i: number) => EndpointFilter | null> = {
  'no filters': () => null,
  'filters, half match': (i) => ({ type: 'invoice.paid', 'data.amount': { $gt: i } }),
  'filters, none match': (i) => ({ type: 'invoice.paid', 'data.amount': { $gt: EVENT.data.amount + 1 + i } }),
};

async function appWith(store: Store, variant: Variant): Promise<string> {
  const now = Date.now();
  const app = await store.createApp({
    id: `app_${variant.replaceAll(/\W/g, '')}`,
    uid: null,
    name: variant,
    createdAt: now,
    updatedAt: now,
  });
  for (let i = 0; i < ENDPOINTS; i++) {
    await store.createEndpoint(
      newEndpoint({ appId: app.id, url: `http://127.0.0.1:9/${i}`, filter: FILTER_OF[variant](i) }, now),
    );
  }
  return app.id;
}

/** Publishes per second to the app, one at a time, after an untimed warm-up (which also compiles the filters). */
async function publishRate(store: Store, appId: string): Promise<{ rate: number; deliveries: number; skipped: number }> {
  const deps = {
    store,
    clock: Date.now,
    config: { maxPayloadBytes: 1_048_576, idempotencyWindowMs: 0 },
    metrics: { messagePublished: () => {}, deliveriesSkipped: () => {} },
    onDeliveriesDue: () => {},
  };
  for (let i = 0; i < WARMUP; i++) await publishEvent(deps, appId, EVENT);
  let deliveries = 0;
  let skipped = 0;
  const started = performance.now();
  for (let i = 0; i < MEASURED; i++) {
    const result = await publishEvent(deps, appId, EVENT);
    deliveries += result.deliveries;
    skipped += result.skipped;
  }
  return {
    rate: MEASURED / ((performance.now() - started) / 1000),
    deliveries: deliveries / MEASURED,
    skipped: skipped / MEASURED,
  };
}

async function backendRows(backend: Backend): Promise<Row[]> {
  const db = await createDatabase(backend);
  const store = await openStore(db.url);
  try {
    const apps = {} as Record<Variant, string>;
    for (const variant of Object.keys(FILTER_OF) as Variant[]) apps[variant] = await appWith(store, variant);
    const baseline = await publishRate(store, apps['no filters']);
    const rows: Row[] = [];
    for (const variant of ['filters, half match', 'filters, none match'] as const) {
      const measured = await publishRate(store, apps[variant]);
      rows.push(
        compared({
          figure: `publish events/s to ${ENDPOINTS} endpoints, ${variant}, ${backend}`,
          value: measured.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'the same fan-out without filters', value: baseline.rate },
          details: {
            pendingPerEvent: measured.deliveries,
            skippedPerEvent: measured.skipped,
            baselinePendingPerEvent: baseline.deliveries,
            events: MEASURED,
            warmup: WARMUP,
          },
        }),
      );
    }
    return rows;
  } finally {
    await store.close();
    await db.drop();
  }
}

/** The filters alone: messages per second for which all 1,000 are evaluated (compiled once, cached). */
function evaluationRate(): Row {
  const endpoints = Array.from({ length: ENDPOINTS }, (_, i) => ({
    filter: JSON.stringify(FILTER_OF['filters, half match'](i)),
  }));
  const subject = { ...EVENT, timestamp: new Date().toISOString() };
  const once = () => {
    const skip = skipByFilter(() => subject);
    for (const endpoint of endpoints) skip(endpoint);
  };
  for (let i = 0; i < 50; i++) once();
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 2_000) {
    once();
    n++;
  }
  return bounded({
    figure: `filters evaluated for ${ENDPOINTS} endpoints, in memory, messages/s`,
    value: n / ((performance.now() - started) / 1000),
    unit: 'messages/s',
    better: 'higher',
    details: { endpoints: ENDPOINTS },
  });
}

const figure: Figure = {
  name: 'filters',
  description: `fan-out to ${ENDPOINTS} endpoints with filters vs without, SQLite and PostgreSQL (${MEASURED} publishes each)`,
  async run(): Promise<Row[]> {
    return [...(await backendRows('SQLite')), ...(await backendRows('PostgreSQL')), evaluationRate()];
  },
};

export default figure;
