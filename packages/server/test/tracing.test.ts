/**
 * Traces as an OTLP backend sees them: hookd processes export to a real OTLP/HTTP receiver on loopback, which decodes
 * what the official exporter sends. The API and the worker are separate processes on PostgreSQL, so an attempt joins
 * its publish's trace only through the context kept with the message; the single-process test runs the built CLI.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLUSTER_TOKEN, startCluster } from './helpers/cluster.js';
import { callApi, TEST_MASTER_KEY } from './helpers/hookd.js';
import { type Collector, type OtlpSpan, startCollector, tracingTo } from './helpers/otlp.js';
import { testDatabase } from './helpers/postgres.js';
import { bannerUrl, killHard, waitReady } from './helpers/processes.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const PROVIDER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PROVIDER_SPAN = 'b7ad6b7169203331';

/** traceparent's parts: version, trace id, parent (span) id, flags. */
function traceparentOf(received: { headers: Record<string, unknown> }): { traceId: string; spanId: string } | null {
  const value = received.headers.traceparent;
  if (typeof value !== 'string') return null;
  const [, traceId, spanId] = value.split('-');
  return { traceId: traceId as string, spanId: spanId as string };
}

const named = (spans: OtlpSpan[], name: string, attribute: string, value: string | number) =>
  spans.filter((s) => s.name === name && s.attributes[attribute] === value);

async function endpoint(base: string, token: string, app: string, fields: Record<string, unknown>): Promise<string> {
  const made = await callApi(base, token, 'POST', `/v1/apps/${app}/endpoints`, fields);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body.id as string;
}

async function started(t: TestContext): Promise<{ collector: Collector; traced: Receiver; plain: Receiver }> {
  const collector = await startCollector();
  const traced = await startReceiver();
  // The plain endpoint answers 503 once: its first attempt fails, its retry succeeds.
  const plain = await startReceiver((_request, n) => ({ status: n === 0 ? 503 : 200 }));
  t.after(() => Promise.all([collector.close(), traced.close(), plain.close()]));
  return { collector, traced, plain };
}

test('API and worker processes on PostgreSQL: attempts are children of the publish span, ingest continues the provider’s trace, and only the endpoint that asked gets a traceparent', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const { collector, traced, plain } = await started(t);
  const cluster = await startCluster(db.url, { apis: 1, workers: 1 }, tracingTo(collector, 'hookd-cluster'));
  t.after(async () => {
    await cluster.close();
    await db.drop();
  });
  const api = cluster.apis[0]?.base as string;
  assert.equal((await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/apps', { uid: 'shop', name: 'Shop' })).status, 201);
  const tracedId = await endpoint(api, CLUSTER_TOKEN, 'shop', { url: traced.url, sendTraceContext: true });
  const plainId = await endpoint(api, CLUSTER_TOKEN, 'shop', { url: plain.url });

  const callerTraceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
  const published = await callApi(
    api,
    CLUSTER_TOKEN,
    'POST',
    '/v1/apps/shop/events',
    { type: 'order.paid', data: { n: 1 } },
    { traceparent: callerTraceparent },
  );
  assert.equal(published.status, 202);
  const messageId = published.body.id as string;
  await traced.waitFor(1, 15_000);
  await plain.waitFor(2, 15_000);

  const { publish, attempts } = await collector.waitFor('the publish span and three attempt spans', (spans) => {
    const publish = named(spans, 'hookd.publish', 'hookd.message.id', messageId)[0];
    const attempts = named(spans, 'hookd.attempt', 'hookd.message.id', messageId);
    return publish && attempts.length === 3 ? { publish, attempts } : undefined;
  });
  // The publish continues the caller's trace, in the API process; its fan-out is its child.
  assert.equal(publish.traceId, CALLER_TRACE);
  assert.equal(publish.parentSpanId, CALLER_SPAN);
  assert.equal(publish.role, 'api');
  assert.equal(publish.service, 'hookd-cluster');
  assert.equal(publish.attributes['hookd.event.type'], 'order.paid');
  const fanout = await collector.waitFor(
    'the fan-out span',
    (spans) => named(spans, 'hookd.fanout', 'hookd.message.id', messageId)[0],
  );
  assert.equal(fanout.parentSpanId, publish.spanId);
  assert.equal(fanout.attributes['hookd.deliveries'], 2);
  // Every attempt ran in the worker process, and is the publish span's child there.
  for (const attempt of attempts) {
    assert.equal(attempt.role, 'worker');
    assert.equal(attempt.traceId, CALLER_TRACE);
    assert.equal(attempt.parentSpanId, publish.spanId);
    assert.equal(attempt.kind, 3);
  }
  const ofPlain = attempts.filter((a) => a.attributes['hookd.endpoint.id'] === plainId);
  const failed = ofPlain.find((a) => a.attributes['hookd.attempt.number'] === 1);
  const retried = ofPlain.find((a) => a.attributes['hookd.attempt.number'] === 2);
  assert.equal(failed?.attributes['http.response.status_code'], 503);
  assert.equal(failed?.attributes['error.type'], 'http_status');
  assert.equal(failed?.statusCode, 2);
  assert.equal(retried?.attributes['http.response.status_code'], 200);
  assert.equal(retried?.statusCode, 0);
  assert.equal(typeof retried?.attributes['hookd.attempt.duration_ms'], 'number');

  // The endpoint that asked receives the attempt's context, in the publish's trace; the other receives none.
  const ofTraced = attempts.find((a) => a.attributes['hookd.endpoint.id'] === tracedId);
  assert.deepEqual(traceparentOf(traced.requests[0] as Receiver['requests'][number]), {
    traceId: CALLER_TRACE,
    spanId: ofTraced?.spanId,
  });
  assert.equal(
    plain.requests.some((r) => r.headers.traceparent !== undefined),
    false,
  );

  // Ingest continues the provider's traceparent; the ingested message's attempts are the ingest span's children.
  const made = await callApi(api, CLUSTER_TOKEN, 'POST', '/v1/sources', {
    name: 'provider',
    scheme: 'none',
    destinations: [{ url: traced.url }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const ingested = await fetch(`${api}/in/provider`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${PROVIDER_TRACE}-${PROVIDER_SPAN}-01` },
    body: '{"hello":"world"}',
  });
  assert.equal(ingested.status, 200, await ingested.text());
  const { ingest, attempt } = await collector.waitFor('the ingest span and its attempt', (spans) => {
    const ingest = spans.find((s) => s.name === 'hookd.ingest' && s.traceId === PROVIDER_TRACE);
    const attempt = spans.find((s) => s.name === 'hookd.attempt' && s.traceId === PROVIDER_TRACE);
    return ingest && attempt ? { ingest, attempt } : undefined;
  });
  assert.equal(ingest.parentSpanId, PROVIDER_SPAN);
  assert.equal(ingest.kind, 2);
  assert.equal(ingest.attributes['hookd.source'], 'provider');
  assert.equal(attempt.parentSpanId, ingest.spanId);
  assert.equal(attempt.attributes['hookd.message.id'], ingest.attributes['hookd.message.id']);
});

const BIN = fileURLToPath(new URL('../bin/hookd.js', import.meta.url));
const TOKEN = 'traces-test-token-0123456789abcdefghij';

/** The built CLI (`bin/hookd.js` over dist), as a user runs it: `hookd serve` on SQLite in a fresh data folder. */
async function serveBuilt(t: TestContext, env: Record<string, string>): Promise<{ base: string; logs: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-traces-'));
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      HOOKD_DATA_DIR: dataDir,
      HOOKD_PORT: '0',
      HOOKD_ADMIN_TOKEN: TOKEN,
      HOOKD_MASTER_KEY: TEST_MASTER_KEY,
      HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
      HOOKD_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    logs.push(...lines);
  });
  t.after(async () => {
    await killHard(child);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = await bannerUrl(child, 'API:');
  await waitReady(base);
  assert.equal((await callApi(base, TOKEN, 'POST', '/v1/apps', { uid: 'solo', name: 'Solo' })).status, 201);
  return { base, logs };
}

test('one process on SQLite, the built CLI: the attempt is the publish span’s child, its traceparent reaches the endpoint, and its log line carries its ids', async (t) => {
  const { collector, traced } = await started(t);
  const { base, logs } = await serveBuilt(t, tracingTo(collector, 'hookd-solo'));
  await endpoint(base, TOKEN, 'solo', { url: traced.url, sendTraceContext: true });
  const published = await callApi(base, TOKEN, 'POST', '/v1/apps/solo/events', { type: 'user.created', data: {} });
  assert.equal(published.status, 202);
  const messageId = published.body.id as string;
  const [received] = await traced.waitFor(1, 15_000);

  const { publish, attempt } = await collector.waitFor('the publish and attempt spans', (spans) => {
    const publish = named(spans, 'hookd.publish', 'hookd.message.id', messageId)[0];
    const attempt = named(spans, 'hookd.attempt', 'hookd.message.id', messageId)[0];
    return publish && attempt ? { publish, attempt } : undefined;
  });
  assert.equal(publish.parentSpanId, '', 'a publish without a traceparent starts a trace');
  assert.equal(publish.role, 'both');
  assert.equal(attempt.parentSpanId, publish.spanId);
  assert.equal(attempt.traceId, publish.traceId);
  assert.deepEqual(traceparentOf(received as Receiver['requests'][number]), { traceId: publish.traceId, spanId: attempt.spanId });
  // The exporter's own request carries no traceparent of hookd's: exporting is not traced.
  assert.equal(
    collector.requests.some((r) => r.headers.traceparent !== undefined),
    false,
  );

  const delivered = logs.map((line) => JSON.parse(line)).find((line) => line.msg === 'delivered' && line.messageId === messageId);
  assert.equal(delivered?.trace_id, attempt.traceId);
  assert.equal(delivered?.span_id, attempt.spanId);
});

test('the built CLI exports with the default protocol, OTLP/HTTP protobuf, when only the endpoint is set', async (t) => {
  const { collector, traced } = await started(t);
  const { base } = await serveBuilt(t, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
  await endpoint(base, TOKEN, 'solo', { url: traced.url });
  assert.equal((await callApi(base, TOKEN, 'POST', '/v1/apps/solo/events', { type: 'user.created', data: {} })).status, 202);
  await traced.waitFor(1, 15_000);
  // The publish span may go out in an export of its own before the attempt ends: wait for the one with the attempt.
  const exported = await collector.waitFor('a protobuf export of the attempt span', () =>
    collector.requests.find(
      (r) =>
        r.path === '/v1/traces' && r.headers['content-type'] === 'application/x-protobuf' && r.body.includes('hookd.attempt'),
    ),
  );
  assert.ok(exported.body.includes('hookd.attempt'), 'the export holds the attempt span');
  assert.equal(traced.requests[0]?.headers.traceparent, undefined, 'endpoints get no traceparent unless they ask');
});

test('a gRPC protocol is refused at start with a clear message, not ignored', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-traces-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      HOOKD_DATA_DIR: dataDir,
      HOOKD_PORT: '0',
      HOOKD_ADMIN_TOKEN: TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not one hookd exports with/);
});
