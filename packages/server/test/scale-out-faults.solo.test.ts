/**
 * Scale-out under faults, as the README's recipe runs it: two API processes and four workers on one PostgreSQL,
 * publishing all along while a random worker is killed with SIGKILL, then an API process, then PostgreSQL itself
 * is stopped and started. Every acknowledged message arrives; duplicates only from attempts in flight at a fault;
 * a FIFO endpoint never goes back in order and a rate-limited one keeps its rate, across workers.
 * A solo test (run alone, last): it stops the machine's PostgreSQL for a moment.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { CLUSTER_TOKEN, type Cluster, startCluster } from './helpers/cluster.js';
import { callApi, eventually } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

function pgctl(action: 'stop' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0] as string;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'ignore' });
}

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

const RATE_LIMIT = 20;
/** Held in the rate-limited endpoint's backlog from the start, so the limit binds for the whole run. */
const RATE_LIMITED_BURST = 200;
/**
 * The most requests one worker can have on the wire here: the plain endpoint's cap, the FIFO one, a rate batch. At
 * this publishing rate, attempts answered and still being recorded when a worker is killed add a few at most.
 */
const IN_FLIGHT_PER_WORKER = 32 + 1 + RATE_LIMIT / 10;

const firstArrivals = (receiver: Receiver) => {
  const seen = new Set<string>();
  return receiver.requests.filter((r) => {
    const id = r.headers['webhook-id'] as string;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
};
const duplicatesAt = (receiver: Receiver) => receiver.requests.length - firstArrivals(receiver).length;
const delivered = (receivers: Receiver[]) => receivers.reduce((sum, r) => sum + firstArrivals(r).length, 0);

/** The most arrivals within any one second. */
function busiestSecond(receiver: Receiver): number {
  const times = receiver.requests.map((r) => r.at).sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

test('2 API processes and 4 workers: a worker, an API process and PostgreSQL fail mid-run; nothing lost, FIFO and rate limits held', {
  timeout: 300_000,
}, async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const plain = await startReceiver(() => ({ status: 200, delayMs: 5 + Math.floor(Math.random() * 20) }));
  const fifo = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 5) }));
  const limited = await startReceiver();
  const receivers = [plain, fifo, limited];
  const cluster: Cluster = await startCluster(db.url, { apis: 2, workers: 4 });
  let stopped = false;
  t.after(async () => {
    if (stopped) pgctl('start');
    await cluster.close();
    await Promise.all(receivers.map((r) => r.close()));
    await db.drop();
  });
  const api = () => cluster.apis[0]?.base as string;
  await callApi(api(), CLUSTER_TOKEN, 'POST', '/v1/apps', { uid: 'scale', name: 'Scale' });
  for (const [url, events, limits] of [
    [plain.url, ['scale.plain'], {}],
    [fifo.url, ['scale.fifo'], { fifo: true }],
    [limited.url, ['scale.limited'], { rateLimit: RATE_LIMIT }],
  ] as const) {
    const made = await callApi(api(), CLUSTER_TOKEN, 'POST', '/v1/apps/scale/endpoints', { url, events, ...limits });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  }

  const acknowledged = new Set<string>();
  let refused = 0;
  let publishing = true;
  const publishOne = async (n: number, type: string, data: unknown) => {
    const id = await cluster.publish(n, 'scale', type, data);
    if (id) acknowledged.add(id);
    else {
      refused++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  for (let n = 0; n < RATE_LIMITED_BURST; n++) await publishOne(n, 'scale.limited', { n });
  // Three loops to the plain endpoint; one loop to the FIFO endpoint, one publish at a time so `seq` is its order.
  const loops = [
    ...Array.from({ length: 3 }, async () => {
      for (let n = 0; publishing; n++) await publishOne(n, 'scale.plain', { n });
    }),
    (async () => {
      for (let seq = 0; publishing; seq++) await publishOne(seq, 'scale.fifo', { seq });
    })(),
  ];
  const deliveredPast = async (count: number, what: string) =>
    eventually(() => (delivered(receivers) >= count ? true : undefined), 60_000, `${count} deliveries ${what}`);

  await deliveredPast(300, 'before the first fault');
  const victim = cluster.workers[Math.floor(Math.random() * cluster.workers.length)] as Cluster['workers'][number];
  await cluster.restart(victim);
  await deliveredPast(delivered(receivers) + 300, 'after a worker was killed');
  await cluster.restart(cluster.apis[0] as Cluster['apis'][number]);
  await deliveredPast(delivered(receivers) + 300, 'after an API process was killed');

  pgctl('stop');
  stopped = true;
  for (const member of [...cluster.apis, ...cluster.workers]) {
    await eventually(async () => ((await status(`${member.base}/readyz`)) === 503 ? true : undefined), 10_000, 'not ready');
  }
  const whileDown = await callApi(api(), CLUSTER_TOKEN, 'POST', '/v1/apps/scale/events', { type: 'scale.plain', data: {} });
  assert.deepEqual([whileDown.status, whileDown.body.error?.code], [503, 'store_unavailable']);
  pgctl('start');
  stopped = false;
  for (const member of [...cluster.apis, ...cluster.workers]) {
    await eventually(async () => ((await status(`${member.base}/readyz`)) === 200 ? true : undefined), 30_000, 'recovery');
  }
  const before = acknowledged.size;
  await eventually(() => (acknowledged.size >= before + 200 ? true : undefined), 30_000, 'publishing again');
  publishing = false;
  await Promise.all(loops);

  await eventually(
    () => {
      const seen = new Set(receivers.flatMap((r) => r.requests.map((request) => request.headers['webhook-id'] as string)));
      return [...acknowledged].every((id) => seen.has(id)) ? true : undefined;
    },
    120_000,
    `all ${acknowledged.size} acknowledged messages to arrive`,
  );
  const duplicates = receivers.map(duplicatesAt);
  t.diagnostic(
    `acknowledged ${acknowledged.size} (refused ${refused} during the faults), duplicates plain/fifo/limited ${duplicates.join('/')}, ` +
      `busiest second of the rate-limited endpoint ${busiestSecond(limited)} (limit ${RATE_LIMIT}/s)`,
  );
  // One worker killed, then every worker's records refused while PostgreSQL was down: at most what they had in flight.
  const duplicateBound = IN_FLIGHT_PER_WORKER * (1 + cluster.workers.length);
  assert.ok(
    duplicates.reduce((a, b) => a + b, 0) <= duplicateBound,
    `duplicates ${duplicates} exceed the ${duplicateBound} in flight at the faults`,
  );

  const order = fifo.requests.map((r) => (JSON.parse(r.body).data as { seq: number }).seq);
  const backwards = order.findIndex((seq, i) => i > 0 && seq < (order[i - 1] as number));
  assert.equal(backwards, -1, `the FIFO endpoint got seq ${order[backwards]} after ${order[backwards - 1]}`);
  // Four workers each keeping the limit alone would send four times as fast; batches of a tenth of a second and a
  // restart's jitter allow a little over it.
  assert.ok(busiestSecond(limited) <= RATE_LIMIT * 1.5, `${busiestSecond(limited)} in one second, limit ${RATE_LIMIT}/s`);
});
