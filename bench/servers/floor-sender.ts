/**
 * The least a delivering process on hookd's store does per delivery, on one thread, as a child process: it claims
 * due deliveries from the store (up to 64, refilled once half are sent), signs each Standard-Webhooks style with
 * node:crypto and POSTs it through an undici Pool, 32 in flight, and records every attempt through the store (whose
 * group commit writes a turn's records together), its request headers and the answer's status kept as hookd keeps
 * them. Nothing else: no per-endpoint slots or limits, no timers, retries, metrics or logs. The parent sends `start`
 * once the messages are published (`queued`) and `stop` at the end. Settings come from BENCH_* variables; the bodies
 * from the same seed as hookd's. With BENCH_STORE_THREAD=1 the store runs on a thread of its own (store-thread.ts).
 */
import { Pool } from 'undici';
import { type ClaimedDelivery, newId } from '../../packages/server/src/domain/index.js';
import { openStore } from '../../packages/server/src/store/index.js';
import { anApp, anEndpoint } from '../../packages/server/test/store/fixtures.js';
import { closedLoop } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';
import { signedHeaders, signingKey } from './sign-and-post.js';
import { storeOnThread } from './store-thread.js';

const IN_FLIGHT = 32;
const CLAIM = 2 * IN_FLIGHT;
const url = new URL(process.env.BENCH_URL as string);
const messages = Number(process.env.BENCH_MESSAGES);
const secret = process.env.BENCH_SECRET as string;
const key = signingKey(secret);

const databaseUrl = process.env.BENCH_DATABASE_URL as string;
const store = process.env.BENCH_STORE_THREAD ? await storeOnThread(databaseUrl) : await openStore(databaseUrl);
const app = await store.createApp(anApp());
await store.createEndpoint(anEndpoint(app.id, { url: url.href, secret }));
const random = seededRandom(Number(process.env.BENCH_SEED));
const bodies = Array.from({ length: messages }, () => seededJsonBody(random, 1024));
// As the API publishes: 32 at a time, each stamped with the time it is published.
await closedLoop(32, messages, async (n) => {
  const createdAt = Date.now();
  const message = { id: newId('msg', createdAt), appId: app.id, type: 'order.created', payload: bodies[n] as string };
  await store.publishMessage({ message: { ...message, idempotencyKey: null, createdAt }, idempotencyWindowMs: 0 });
});

const pool = new Pool(url.origin, { connections: IN_FLIGHT });
const claimed: ClaimedDelivery[] = [];
const records = new Set<Promise<unknown>>();
let sending = 0;
let claiming = false;
let stopped = false;

async function claim(): Promise<void> {
  if (claiming || stopped || claimed.length + sending > CLAIM / 2) return;
  claiming = true;
  const limit = CLAIM - claimed.length - sending;
  const got = await store.claimDueDeliveries({
    now: Date.now(),
    limit,
    leaseMs: 30_000,
    endpointCap: CLAIM,
    inFlight: new Map(),
  });
  claimed.push(...got);
  claiming = false;
  fill();
  // A claim short of its limit took all there was: the next looks again once a request comes back.
  if (got.length === limit) void claim();
}

function fill(): void {
  while (sending < IN_FLIGHT && claimed.length > 0) void send(claimed.shift() as ClaimedDelivery);
}

async function send(item: ClaimedDelivery): Promise<void> {
  sending++;
  const startedAt = Date.now();
  const { id, payload } = item.message;
  const requestHeaders = signedHeaders(key, id, payload);
  const response = await pool.request({ path: url.pathname, method: 'POST', headers: requestHeaders, body: payload });
  const responseBody = await response.body.text();
  sending--;
  const now = Date.now();
  const attempt = {
    id: newId('atm', startedAt),
    deliveryId: item.delivery.id,
    number: 1,
    startedAt,
    durationMs: now - startedAt,
    requestHeaders,
    responseStatus: response.statusCode,
    responseBody,
    error: null,
  };
  const record = store.recordAttempt({ attempt, leaseToken: item.leaseToken, next: { status: 'succeeded' }, now });
  records.add(record);
  void record.finally(() => records.delete(record));
  fill();
  void claim();
}

process.on('message', async (command) => {
  if (command === 'start') void claim();
  if (command === 'stop') {
    stopped = true;
    await Promise.all(records);
    await pool.close();
    await store.close();
    process.exit(0);
  }
});
process.send?.('queued');
