/** /metrics in Prometheus text format, its counters checked against what the test did. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

/** `name{labels} value` lines as a map from `name{labels}` to the value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function scrape(base: string): Promise<{ contentType: string | null; samples: Map<string, number> }> {
  const response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 200);
  return { contentType: response.headers.get('content-type'), samples: parseMetrics(await response.text()) };
}

test('metrics count publishes, attempts by outcome and their durations, the queue and disabled endpoints', async (t) => {
  const ok = await startReceiver(() => ({ status: 200 }));
  const failing = await startReceiver(() => ({ status: 500 }));
  const gone = await startReceiver(() => ({ status: 410 }));
  const server = await startTestHookd();
  t.after(async () => {
    await server.close();
    await Promise.all([ok.close(), failing.close(), gone.close()]);
  });
  await server.call('POST', '/v1/apps', { uid: 'm', name: 'Metrics' });
  await server.call('POST', '/v1/apps/m/endpoints', { url: ok.url, events: ['ok.*'] });
  await server.call('POST', '/v1/apps/m/endpoints', { url: failing.url, events: ['failing.*'] });
  await server.call('POST', '/v1/apps/m/endpoints', { url: gone.url, events: ['gone.*'] });

  const before = await scrape(server.url);
  assert.match(before.contentType ?? '', /^text\/plain; version=0\.0\.4/);
  assert.equal(before.samples.get('hookd_messages_published_total'), 0);
  assert.equal(before.samples.get('hookd_endpoints_disabled'), 0);

  for (let n = 0; n < 3; n++) await server.call('POST', '/v1/apps/m/events', { type: 'ok.sent', data: { n } });
  await server.call('POST', '/v1/apps/m/events', { type: 'failing.sent', data: {} });
  await server.call('POST', '/v1/apps/m/events', { type: 'gone.sent', data: {} });
  // A repeated Idempotency-Key publishes nothing, so it is not counted.
  await server.call('POST', '/v1/apps/m/events', { type: 'ok.sent', data: {} }, { 'idempotency-key': 'k1' });
  await server.call('POST', '/v1/apps/m/events', { type: 'ok.sent', data: {} }, { 'idempotency-key': 'k1' });

  // The schedule is 0, 50 ms, 50 ms: three attempts at the failing endpoint, then it gives up.
  const after = await eventually(async () => {
    const { samples } = await scrape(server.url);
    return samples.get('hookd_delivery_attempts_total{outcome="failed"}') === 2 &&
      samples.get('hookd_delivery_attempts_total{outcome="succeeded"}') === 4
      ? samples
      : undefined;
  });
  assert.equal(after.get('hookd_messages_published_total'), 6);
  assert.equal(after.get('hookd_delivery_attempts_total{outcome="retrying"}'), 2);
  assert.equal(after.get('hookd_delivery_attempt_duration_seconds_count{outcome="succeeded"}'), 4);
  assert.equal(after.get('hookd_delivery_attempt_duration_seconds_count{outcome="retrying"}'), 2);
  assert.equal(after.get('hookd_delivery_attempt_duration_seconds_count{outcome="failed"}'), 2);
  assert.equal(after.get('hookd_queue_depth{state="due"}'), 0);
  assert.equal(after.get('hookd_queue_depth{state="scheduled"}'), 0);
  assert.equal(after.get('hookd_oldest_due_delivery_age_seconds'), 0);
  assert.equal(after.get('hookd_endpoints_disabled'), 1, 'the 410 disabled its endpoint');
  assert.ok((after.get('hookd_process_resident_memory_bytes') ?? 0) > 0, 'process metrics are there too');
  for (const name of after.keys()) assert.doesNotMatch(name, /(app|ep|msg|dlv)_[0-9A-Za-z]{26}/, 'no ids in labels');
});

test('queue depth shows due deliveries waiting for a worker, and their age', async (t) => {
  const receiver = await startReceiver();
  // An API-only process sends nothing, so what it publishes stays due.
  let now = Date.now();
  const server = await startTestHookd({ role: 'api' }, { clock: () => now });
  t.after(async () => {
    await server.close();
    await receiver.close();
  });
  await server.call('POST', '/v1/apps', { uid: 'q', name: 'Queue' });
  await server.call('POST', '/v1/apps/q/endpoints', { url: receiver.url });
  for (let n = 0; n < 5; n++) await server.call('POST', '/v1/apps/q/events', { type: 'q.sent', data: { n } });
  now += 30; // the oldest due delivery has waited 30 ms
  const { samples } = await scrape(server.url);
  assert.equal(samples.get('hookd_queue_depth{state="due"}'), 5);
  assert.ok((samples.get('hookd_oldest_due_delivery_age_seconds') ?? 0) >= 0.03);
});

test('a worker process serves /metrics on its health port', async (t) => {
  const worker = await startTestHookd({ role: 'worker', healthPort: 0 });
  t.after(() => worker.close());
  const { samples } = await scrape(worker.url);
  assert.equal(samples.get('hookd_delivery_attempts_total{outcome="succeeded"}'), 0);
});

test('with HOOKD_METRICS_TOKEN set, /metrics answers that bearer token only, 401 to anyone else', async (t) => {
  const token = 'metrics-scrape-token-0123456789';
  const [api, worker] = await Promise.all([
    startTestHookd({ metricsToken: token }),
    startTestHookd({ role: 'worker', healthPort: 0, metricsToken: token }),
  ]);
  t.after(() => Promise.all([api.close(), worker.close()]));
  for (const base of [api.url, worker.url]) {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token]) {
      const answer = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(answer.status, 401, `${base} with ${authorization}`);
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
    const answer = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /hookd_delivery_attempts_total/);
    assert.equal((await fetch(`${base}/readyz`)).status, 200, 'probes stay open');
  }
});
