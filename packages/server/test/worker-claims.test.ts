/**
 * A backlog behind one endpoint drains in batches: a freed slot costs a claim only when a claim can find work, an
 * endpoint at its cap is refilled once half its slots are back, not one slot at a time, and a refill claims ahead of
 * the endpoint's requests, giving back what it will not send.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import pino from 'pino';
import { type Config, loadConfig, type RawSettings } from '../src/config.js';
import { DeliveryWorker, systemResolver } from '../src/delivery/index.js';
import { openSecretStore } from '../src/server.js';
import type { Lease, Store } from '../src/store/index.js';
import { eventually, FAST, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

test('a backlog of 400 behind one endpoint is claimed in batches, each delivery once', async (t) => {
  const receiver = await startReceiver();
  const api = await startTestHookd({ role: 'api' });
  t.after(async () => {
    await api.close();
    await receiver.close();
  });
  await api.call('POST', '/v1/apps', { uid: 'backlog', name: 'Backlog' });
  await api.call('POST', '/v1/apps/backlog/endpoints', { url: receiver.url });
  for (let n = 0; n < 400; n += 40) {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.call('POST', '/v1/apps/backlog/events', { type: 'backlog.test', data: { n: n + i } }),
      ),
    );
  }

  // A long poll interval: only freed slots and refills trigger claims here, however slow the machine is.
  const config = loadConfig({ flags: { ...FAST, endpointConcurrency: 8, pollInterval: '10s', dataDir: api.dataDir } });
  // Through the seam that opens the endpoint's sealed secret, as in a hookd process.
  const store = await openSecretStore(config);
  const claims: number[] = [];
  const counting: Store = {
    ...store,
    async claimDueDeliveries(input) {
      const claimed = await store.claimDueDeliveries(input);
      claims.push(claimed.length);
      return claimed;
    },
  };
  const worker = startedWorker(counting, config);
  t.after(async () => {
    await worker.stop();
    await store.close();
  });
  await receiver.waitFor(400, 20_000);
  const ids = receiver.requests.map((r) => r.headers['webhook-id']);
  assert.equal(new Set(ids).size, 400);
  const productive = claims.filter((n) => n > 0);
  t.diagnostic(`${claims.length} claims for 400 deliveries, ${productive.length} of them found work`);
  // Cap 8, refilled at 4: about 400 / 4 productive claims and as many empty ones. One claim per freed slot would be 400+.
  assert.ok(claims.length <= 250, `${claims.length} claims for 400 deliveries`);
  const perClaim = 400 / productive.length;
  assert.ok(
    perClaim >= 3,
    `a productive claim takes ${perClaim.toFixed(1)} deliveries on average; one per freed slot would be 1`,
  );
});

test('an endpoint gets its next request while the last ones are recorded; a FIFO endpoint and the process cap wait for the record', async (t) => {
  const open = await startReceiver();
  const fifo = await startReceiver();
  const api = await startTestHookd({ role: 'api' });
  t.after(async () => {
    await api.close();
    await open.close();
    await fifo.close();
  });
  await api.call('POST', '/v1/apps', { uid: 'records', name: 'Records' });
  await api.call('POST', '/v1/apps/records/endpoints', { url: open.url });
  await api.call('POST', '/v1/apps/records/endpoints', { url: fifo.url, fifo: true });
  for (let n = 0; n < 8; n++) await api.call('POST', '/v1/apps/records/events', { type: 'record.test', data: { n } });

  // 2 requests at once per endpoint, 5 deliveries in flight in the process, and every record held until released.
  const config = loadConfig({
    flags: { ...FAST, concurrency: 5, endpointConcurrency: 2, pollInterval: '10s', dataDir: api.dataDir },
  });
  const store = await openSecretStore(config);
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let recording = 0;
  const holding: Store = {
    ...store,
    async recordAttempt(input) {
      recording++;
      await released;
      return store.recordAttempt(input);
    },
  };
  const worker = startedWorker(holding, config);
  t.after(async () => {
    release();
    await worker.stop();
    await store.close();
  });

  // The open endpoint's 2 slots come back with its responses: 2 more go out while the first 2 are being recorded,
  // until the process's 5 are all waiting on their records (FIFO's 1 among them).
  await open.waitFor(4, 10_000);
  await fifo.waitFor(1, 10_000);
  await eventually(() => (recording === 5 ? true : undefined), 10_000, 'five records pending');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(open.requests.length, 4, 'the process cap counts deliveries whose records are pending');
  assert.equal(fifo.requests.length, 1, "a FIFO endpoint's next delivery waits for the last one's record");

  release();
  await open.waitFor(8, 10_000);
  await fifo.waitFor(8, 10_000);
  const order = fifo.requests.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(new Set(open.requests.map((r) => r.headers['webhook-id'])).size, 8);
});

/**
 * A worker (64 deliveries in flight, no polling) on a backlog of `count` events to one endpoint at `url`, through a
 * store that counts what the worker holds claimed (claimed, not yet recorded or given back) and what it gave back.
 */
async function workerOnBacklog(t: TestContext, url: string, count: number, flags: RawSettings) {
  const api = await startTestHookd({ role: 'api' });
  t.after(() => api.close());
  await api.call('POST', '/v1/apps', { uid: 'ahead', name: 'Ahead' });
  await api.call('POST', '/v1/apps/ahead/endpoints', { url });
  for (let n = 0; n < count; n++) await api.call('POST', '/v1/apps/ahead/events', { type: 'ahead.test', data: { n } });

  const config = loadConfig({ flags: { ...FAST, concurrency: 64, pollInterval: '10s', ...flags, dataDir: api.dataDir } });
  const store = await openSecretStore(config);
  const counted = { held: 0, mostHeld: 0, released: [] as Lease[] };
  const counting: Store = {
    ...store,
    async claimDueDeliveries(input) {
      const claimed = await store.claimDueDeliveries(input);
      counted.held += claimed.length;
      counted.mostHeld = Math.max(counted.mostHeld, counted.held);
      return claimed;
    },
    async recordAttempt(input) {
      counted.held--;
      return store.recordAttempt(input);
    },
    async releaseClaims(leases, now) {
      counted.held -= leases.length;
      counted.released.push(...leases);
      return store.releaseClaims(leases, now);
    },
  };
  const worker = startedWorker(counting, config);
  t.after(async () => {
    await worker.stop(100);
    await store.close();
  });
  return { counted, store, worker };
}

test('a refill claims ahead: the endpoint holds up to twice its cap claimed, its requests never more than the cap', async (t) => {
  let open = 0;
  let mostOpen = 0;
  const receiver = await startReceiver(() => {
    mostOpen = Math.max(mostOpen, ++open);
    setTimeout(() => open--, 20);
    return { status: 200, delayMs: 20 };
  });
  t.after(() => receiver.close());
  const { counted } = await workerOnBacklog(t, receiver.url, 60, { endpointConcurrency: 4 });
  await receiver.waitFor(60, 20_000);
  assert.equal(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size, 60, 'each delivery once');
  assert.equal(mostOpen, 4, 'requests in flight reach the cap and never pass it');
  assert.ok(counted.mostHeld > 4 && counted.mostHeld <= 8, `held ${counted.mostHeld} at most, of a cap of 4`);
});

test('stopping gives back the deliveries claimed ahead and not yet sent: any worker may claim them at once', async (t) => {
  // The first two requests are answered, so a refill claims ahead; the next ones hang.
  const receiver = await startReceiver((_, n) => (n < 2 ? { status: 200, delayMs: 300 } : { hang: true }));
  t.after(() => receiver.close());
  const flags = { endpointConcurrency: 2, timeout: '5s', lease: '20s' };
  const { counted, store, worker } = await workerOnBacklog(t, receiver.url, 10, flags);
  await receiver.waitFor(4, 10_000);
  // Two requests hang; whatever else it holds waits for their slots.
  await eventually(() => (counted.held > 2 ? true : undefined), 10_000, 'a delivery waiting for a slot');
  await worker.stop(100);

  const sent = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
  assert.equal(sent.size, 4);
  assert.ok(counted.released.length > 0);
  const claimable = await store.claimDueDeliveries({
    now: Date.now(),
    limit: 100,
    leaseMs: 1000,
    endpointCap: 100,
    inFlight: new Map(),
  });
  // Claimed with a lease of 20 s: only given back could they be claimed again now.
  const ids = new Set(claimable.map((c) => c.delivery.id));
  for (const lease of counted.released) assert.ok(ids.has(lease.deliveryId), 'a delivery given back is due at once');
  const released = claimable.filter((c) => counted.released.some((lease) => lease.deliveryId === c.delivery.id));
  assert.ok(
    released.every((c) => !sent.has(c.message.id)),
    'only deliveries never sent were given back',
  );
});

test('a delivery claimed ahead whose lease can no longer cover an attempt is given back, not sent under it', async (t) => {
  // Two quick answers, so a refill claims ahead; then two slow ones, longer than the lease leaves the waiting for a slot.
  const receiver = await startReceiver((_, n) => ({ status: 200, delayMs: n < 2 ? 100 : n < 4 ? 1_200 : 0 }));
  t.after(() => receiver.close());
  const flags = { endpointConcurrency: 2, timeout: '2s', lease: '2500ms' };
  const { counted } = await workerOnBacklog(t, receiver.url, 8, flags);
  await receiver.waitFor(8, 20_000);
  assert.ok(counted.released.length > 0, 'a delivery that waited past its lease’s room was given back');
  const ids = receiver.requests.map((r) => r.headers['webhook-id']);
  assert.equal(new Set(ids).size, 8, 'each delivery once');
  assert.equal(ids.length, 8);
});

/** A delivery worker on `store`, as a hookd process runs one, started. */
function startedWorker(store: Store, config: Config): DeliveryWorker {
  const worker = new DeliveryWorker({
    store,
    config: config.delivery,
    allowedNetworks: config.allowedNetworks,
    logger: pino({ level: 'silent' }),
    resolve: systemResolver,
    clock: Date.now,
    random: Math.random,
  });
  worker.start();
  return worker;
}

test('a worker chosen for a publish that has no free slot, or claims a full batch, wakes every worker', async (t) => {
  const hanging = await startReceiver(() => ({ hang: true }));
  const api = await startTestHookd({ role: 'api' });
  t.after(async () => {
    await api.close();
    await hanging.close();
  });
  await api.call('POST', '/v1/apps', { uid: 'chosen', name: 'Chosen' });
  await api.call('POST', '/v1/apps/chosen/endpoints', { url: hanging.url });
  const publish = (n: number) => api.call('POST', '/v1/apps/chosen/events', { type: 'chosen.test', data: { n } });
  await publish(0);

  // Two slots in the process; a long poll interval, so that only wake-ups start claims.
  const config = loadConfig({ flags: { ...FAST, concurrency: 2, pollInterval: '10s', dataDir: api.dataDir } });
  const store = await openSecretStore(config);
  let passedOn = 0;
  const counting: Store = {
    ...store,
    async wakeEvery() {
      passedOn++;
    },
  };
  const worker = startedWorker(counting, config);
  t.after(async () => {
    await worker.stop(0);
    await store.close();
  });
  await hanging.waitFor(1, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(passedOn, 0, 'a claim short of the free slots took all there was');

  // Chosen, with one slot free: the claim takes the one delivery due, a full claim, which may have left more.
  await publish(1);
  worker.wake('chosen');
  await hanging.waitFor(2, 5_000);
  await eventually(() => (passedOn === 1 ? true : undefined), 5_000, 'the full claim to be passed on');

  // No free slot: a wake for every worker claims nothing and passes nothing on; a chosen one passes it on.
  await publish(2);
  worker.wake('every');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(passedOn, 1);
  worker.wake('chosen');
  await eventually(() => (passedOn === 2 ? true : undefined), 5_000, 'the wake-up to be passed on');
  assert.equal(hanging.requests.length, 2, 'the worker had no slot for the third');
});
