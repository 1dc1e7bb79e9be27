/**
 * What a receiver can throw at hookd: error statuses, Retry-After, 410, redirects, hangs, stalled and trickled
 * bodies, a 50 MiB answer, resets, closes and broken HTTP. Each attempt is recorded with its error, the attempt
 * timeout (1 s here) holds, memory stays bounded, a healthy endpoint beside them is not held up, and each delivery
 * ends as the rules say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttemptErrorCode } from '../src/index.js';
import { type Fault, startFaultReceiver } from './helpers/faults.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

interface Attempt {
  responseStatus: number | null;
  responseBody: string | null;
  error: { code: AttemptErrorCode; message: string } | null;
  durationMs: number;
  startedAt: string;
}

/** Publishes one event that only the endpoint for `fault` takes; resolves to its delivery id. */
async function publishTo(server: TestHookd, fault: string): Promise<string> {
  const published = await server.call('POST', '/v1/apps/faults/events', { type: `fault.${fault}`, data: { fault } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const deliveries = await server.call('GET', `/v1/apps/faults/events/${published.body.id}/deliveries`);
  return deliveries.body.data[0].id;
}

async function finished(server: TestHookd, dlv: string, timeoutMs = 15_000) {
  return eventually(
    async () => {
      const answer = await server.call('GET', `/v1/apps/faults/deliveries/${dlv}`);
      return answer.body.status === 'pending' ? undefined : (answer.body as { status: string; attempts: Attempt[] });
    },
    timeoutMs,
    `delivery ${dlv} to finish`,
  );
}

/** What each fault must end as: the final status, and what every attempt records. */
const EXPECTED: Partial<Record<Fault, { status: string; attempt: (a: Attempt) => boolean; text: string }>> = {
  'status-500': {
    status: 'failed',
    attempt: (a) => a.responseStatus === 500 && a.responseBody === 'boom' && a.error?.code === 'http_status',
    text: '500',
  },
  'status-503': { status: 'failed', attempt: (a) => a.responseStatus === 503 && a.error?.code === 'http_status', text: '503' },
  'status-410': { status: 'failed', attempt: (a) => a.responseStatus === 410 && a.error?.code === 'endpoint_gone', text: '410' },
  redirect: {
    status: 'failed',
    attempt: (a) => a.responseStatus === 302 && a.error?.code === 'redirect_not_followed',
    text: '302, not followed',
  },
  hang: { status: 'failed', attempt: (a) => a.error?.code === 'headers_timeout', text: 'headers_timeout' },
  'stall-body': { status: 'failed', attempt: (a) => a.error?.code === 'body_timeout', text: 'body_timeout' },
  trickle: { status: 'failed', attempt: (a) => a.error?.code === 'body_timeout', text: 'body_timeout' },
  'huge-body': {
    status: 'succeeded',
    attempt: (a) => a.responseStatus === 200 && a.responseBody?.length === 4096 && a.error === null,
    text: '200',
  },
  reset: {
    status: 'failed',
    attempt: (a) => a.error?.code === 'connection_reset' || a.error?.code === 'connection_closed',
    text: 'connection_reset',
  },
  close: { status: 'failed', attempt: (a) => a.error?.code === 'connection_closed', text: 'connection_closed' },
  'invalid-http': { status: 'failed', attempt: (a) => a.error?.code === 'invalid_response', text: 'invalid_response' },
};

test('every receiver fault ends as the rules say, within the timeout, and a healthy endpoint beside them is not held up', {
  timeout: 60_000,
}, async (t) => {
  // Whatever a redirect points at must never be asked: a 3xx is a failed attempt.
  const redirectTarget = await startReceiver();
  // A byte every 250 ms never lets an idle-body timer fire: only the whole-attempt timeout can end it.
  const faults = await startFaultReceiver({ redirectTo: redirectTarget.url, trickleMs: 250 });
  const healthy = await startReceiver();
  const server = await startTestHookd({ endpointConcurrency: 4 });
  t.after(() => Promise.all([server.close(), faults.close(), healthy.close(), redirectTarget.close()]));
  await server.call('POST', '/v1/apps', { uid: 'faults', name: 'Faults' });
  const kinds = Object.keys(EXPECTED) as Fault[];
  for (const kind of kinds) {
    const ep = await server.call('POST', '/v1/apps/faults/endpoints', { url: faults.urlFor(kind), events: [`fault.${kind}`] });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));
  }
  await server.call('POST', '/v1/apps/faults/endpoints', { url: healthy.url, events: ['fault.healthy'] });

  const heapBefore = process.memoryUsage().heapUsed;
  const started = Date.now();
  const deliveries = new Map<Fault, string>();
  for (const kind of kinds) deliveries.set(kind, await publishTo(server, kind));

  // While every fault is in flight, the healthy endpoint gets 20 events, each within 500 ms of its publish.
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const sentAt = Date.now();
    await publishTo(server, 'healthy');
    await healthy.waitFor(i + 1, 2_000);
    latencies.push(Date.now() - sentAt);
  }

  const outcomes: string[] = [];
  for (const kind of kinds) {
    const expected = EXPECTED[kind] as NonNullable<(typeof EXPECTED)[Fault]>;
    const delivery = await finished(server, deliveries.get(kind) as string);
    const attempts = delivery.attempts;
    assert.equal(delivery.status, expected.status, `${kind}: ${JSON.stringify(delivery)}`);
    for (const attempt of attempts) {
      assert.ok(expected.attempt(attempt), `${kind}: attempt recorded as ${JSON.stringify(attempt)}`);
      // The 1 s attempt timeout holds whatever the receiver does (the margin is scheduling on a busy machine).
      assert.ok(attempt.durationMs < 1_600, `${kind}: an attempt took ${attempt.durationMs} ms`);
    }
    const slowest = Math.max(...attempts.map((a) => a.durationMs));
    outcomes.push(`${kind}: ${delivery.status} after ${attempts.length} attempt(s), ${expected.text}, slowest ${slowest} ms`);
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  for (const line of outcomes) t.diagnostic(line);
  t.diagnostic(`healthy endpoint latency while faults ran: max ${Math.max(...latencies)} ms over 20 events`);
  t.diagnostic(
    `50 MiB answer: ${faults.hugeBytesWritten} bytes left the receiver before hookd hung up; heap grew ${heapGrowth} bytes`,
  );
  t.diagnostic(`all faults settled in ${Date.now() - started} ms`);

  assert.ok(Math.max(...latencies) < 500, `the healthy endpoint waited ${Math.max(...latencies)} ms`);
  // hookd reads the first 4 KiB and hangs up: what left the receiver is what socket buffers held, far from 50 MiB.
  assert.ok(faults.hugeBytesWritten < 16 * 1024 * 1024, `${faults.hugeBytesWritten} bytes of the 50 MiB answer were taken`);
  assert.equal(redirectTarget.requests.length, 0, 'the redirect was not followed');
  assert.equal(faults.hits.get('status-410'), 1, '410 ends the delivery at once');
  const gone = await server.call('GET', '/v1/apps/faults/endpoints');
  const disabled = gone.body.data.filter((ep: { disabled: boolean }) => ep.disabled).map((ep: { url: string }) => ep.url);
  assert.deepEqual(disabled, [faults.urlFor('status-410')], '410 disables its endpoint, and only it');
});

test('429 with Retry-After waits as asked (up to the schedule’s longest delay) before the next attempt', async (t) => {
  const faults = await startFaultReceiver({ retryAfterSeconds: 1 });
  const server = await startTestHookd({ retrySchedule: '0,50ms,3s' });
  t.after(() => Promise.all([server.close(), faults.close()]));
  await server.call('POST', '/v1/apps', { uid: 'faults', name: 'Faults' });
  await server.call('POST', '/v1/apps/faults/endpoints', { url: faults.urlFor('status-429'), events: ['fault.status-429'] });
  const dlv = await publishTo(server, 'status-429');
  const attempts = await eventually(
    async () => {
      const answer = await server.call('GET', `/v1/apps/faults/deliveries/${dlv}`);
      return answer.body.attempts.length >= 2 ? (answer.body.attempts as Attempt[]) : undefined;
    },
    5_000,
    'a second attempt',
  );
  const times = attempts.map((a) => Date.parse(a.startedAt)).sort((x, y) => x - y);
  const gap = (times[1] as number) - (times[0] as number);
  t.diagnostic(`Retry-After: 1 on 429: the next attempt came ${gap} ms later (schedule said 50 ms)`);
  assert.ok(gap >= 950, `the second attempt came after ${gap} ms`);
  assert.ok(attempts.every((a) => a.responseStatus === 429));
});
