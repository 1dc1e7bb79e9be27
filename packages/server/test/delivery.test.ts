/**
 * The outbound pipeline end to end: fan-out and filters, signatures, retries and their timing,
 * timeouts, exhaustion and replay, idempotent publishing, 410 and redirects, per-endpoint
 * concurrency, and the message and delivery listings. Real hookd, real receivers, loopback only.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { RawSettings } from '../src/index.js';
import { type ApiAnswer, eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, type Responder, startReceiver } from './helpers/receiver.js';

const APP = '/v1/apps/acme';

/** A hookd with an app `acme`, closed after the test together with the receivers it is given. */
async function setup(t: TestContext, settings: RawSettings = {}) {
  const server = await startTestHookd(settings);
  const receivers: Receiver[] = [];
  // Receivers first: a hung or slow request then ends at once instead of holding the worker's shutdown.
  t.after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server.close();
  });
  const created = await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  assert.equal(created.status, 201);
  return {
    server,
    appId: created.body.id as string,
    async receiver(respond?: Responder): Promise<Receiver> {
      const receiver = await startReceiver(respond);
      receivers.push(receiver);
      return receiver;
    },
    async endpoint(body: Record<string, unknown>) {
      const answer = await server.call('POST', `${APP}/endpoints`, body);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as { id: string; secret: string };
    },
    async publish(type: string, data: unknown, headers?: Record<string, string>): Promise<ApiAnswer> {
      const answer = await server.call('POST', `${APP}/events`, { type, data }, headers);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return answer;
    },
  };
}

async function deliveriesOf(server: TestHookd, messageId: string) {
  const answer = await server.call('GET', `${APP}/events/${messageId}/deliveries`);
  assert.equal(answer.status, 200);
  return answer.body.data as { id: string; messageId: string; endpointId: string; status: string; attemptCount: number }[];
}

async function onlyDeliveryOf(server: TestHookd, messageId: string) {
  const [delivery, ...others] = await deliveriesOf(server, messageId);
  assert.ok(delivery, `message ${messageId} has no delivery`);
  assert.equal(others.length, 0);
  return delivery;
}

async function getDelivery(server: TestHookd, deliveryId: string) {
  const answer = await server.call('GET', `${APP}/deliveries/${deliveryId}`);
  assert.equal(answer.status, 200);
  return answer.body;
}

/** The delivery with its attempts once it reaches `status`. */
function settled(server: TestHookd, deliveryId: string, status: 'succeeded' | 'failed', timeoutMs = 5000) {
  return eventually(
    async () => {
      const delivery = await getDelivery(server, deliveryId);
      return delivery.status === status ? delivery : undefined;
    },
    timeoutMs,
    `delivery ${deliveryId} to become ${status}`,
  );
}

test('fans an event out to endpoints whose filters match (exact, prefix.*, none = all), signed for standardwebhooks', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t);
  const exact = await receiver();
  const prefix = await receiver();
  const all = await receiver();
  const other = await receiver();
  const eps = {
    exact: await endpoint({ url: exact.url, events: ['order.created'] }),
    prefix: await endpoint({ url: prefix.url, events: ['order.*'] }),
    all: await endpoint({ url: all.url }),
    other: await endpoint({ url: other.url, events: ['invoice.paid'] }),
  };

  const created = await publish('order.created', { id: 1 });
  assert.equal(created.body.deliveries, 3);
  const shipped = await publish('order.shipped', { id: 1, carrier: 'ups' });
  assert.equal(shipped.body.deliveries, 2);
  // Published last: once `other` has it, anything wrongly sent to `other` earlier has arrived too.
  const paid = await publish('invoice.paid', { invoice: 'in_1' });
  assert.equal(paid.body.deliveries, 2);

  await Promise.all([exact.waitFor(1), prefix.waitFor(2), all.waitFor(3), other.waitFor(1)]);
  await server.idle(); // nothing else is on its way
  const typesAt = (r: Receiver) => r.requests.map((q) => JSON.parse(q.body).type).sort();
  assert.deepEqual(typesAt(exact), ['order.created']);
  assert.deepEqual(typesAt(prefix), ['order.created', 'order.shipped']);
  assert.deepEqual(typesAt(all), ['invoice.paid', 'order.created', 'order.shipped']);
  assert.deepEqual(typesAt(other), ['invoice.paid']);

  const data = new Map<string, unknown>([
    [created.body.id, { id: 1 }],
    [shipped.body.id, { id: 1, carrier: 'ups' }],
    [paid.body.id, { invoice: 'in_1' }],
  ]);
  const published = new Map([created, shipped, paid].map((p) => [p.body.id as string, p.body]));
  const secrets = new Map([
    [exact, eps.exact.secret],
    [prefix, eps.prefix.secret],
    [all, eps.all.secret],
    [other, eps.other.secret],
  ]);
  for (const [r, secret] of secrets) {
    for (const request of r.requests) {
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      const id = request.headers['webhook-id'] as string;
      const message = published.get(id);
      assert.ok(message, `webhook-id ${id} is not a published message id`);
      const verified = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
      const expected = { type: message.type, timestamp: message.timestamp, data: data.get(id) };
      assert.deepEqual(verified, expected);
      assert.deepEqual(Object.keys(JSON.parse(request.body)), ['type', 'timestamp', 'data']);
    }
  }
});

test('a 500 then a 200 makes exactly 2 attempts, the retry after the scheduled delay, both listed on the delivery', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t, { retrySchedule: '0,300ms', retryJitter: 0 });
  const r = await receiver((_q, n) => (n === 0 ? { status: 500, body: 'database down' } : { status: 200, body: 'thanks' }));
  await endpoint({ url: r.url });
  const published = await publish('order.created', { id: 1 });
  const { id } = await onlyDeliveryOf(server, published.body.id);

  const delivery = await settled(server, id, 'succeeded');
  assert.equal(delivery.attemptCount, 2);
  assert.equal(delivery.lastError, null);
  const [first, second, ...more] = delivery.attempts;
  assert.equal(more.length, 0);
  assert.equal(first.number, 1);
  assert.equal(first.responseStatus, 500);
  assert.equal(first.responseBody, 'database down');
  assert.equal(first.error.code, 'http_status');
  assert.equal(second.number, 2);
  assert.equal(second.responseStatus, 200);
  assert.equal(second.responseBody, 'thanks');
  for (const attempt of delivery.attempts) {
    assert.equal(typeof attempt.durationMs, 'number');
    assert.ok(attempt.durationMs >= 0 && attempt.durationMs < 5000, `durationMs ${attempt.durationMs}`);
  }
  const startedGap = Date.parse(second.startedAt) - Date.parse(first.startedAt);
  assert.ok(startedGap >= 300, `attempt 2 started ${startedGap} ms after attempt 1, before the 300 ms in the schedule`);

  await server.idle();
  assert.equal(r.requests.length, 2);
  const gap = r.requests[1]!.at - r.requests[0]!.at;
  assert.ok(gap >= 290, `the retry came ${gap} ms after the first attempt, before the 300 ms in the schedule`);
});

test('an attempt the receiver never answers times out, is recorded with the timeout, and the next attempt follows', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t, { timeout: '300ms', retrySchedule: '0,50ms' });
  const r = await receiver((_q, n) => (n === 0 ? { hang: true } : { status: 200 }));
  await endpoint({ url: r.url });
  const published = await publish('order.created', { id: 1 });
  const { id } = await onlyDeliveryOf(server, published.body.id);

  const delivery = await settled(server, id, 'succeeded');
  assert.equal(delivery.attemptCount, 2);
  const [first, second] = delivery.attempts;
  assert.equal(first.responseStatus, null);
  assert.equal(first.error.code, 'headers_timeout', JSON.stringify(first.error));
  assert.ok(first.durationMs >= 250 && first.durationMs < 3000, `timed-out attempt took ${first.durationMs} ms`);
  assert.equal(second.responseStatus, 200);
  assert.equal(second.error, null);
  assert.equal(r.requests.length, 2);
});

test('a receiver that always fails exhausts the schedule; replay since a time and a retry by hand deliver it later', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t, { retrySchedule: '0,50ms,50ms' });
  let status = 500;
  const r = await receiver(() => ({ status }));
  const ep = await endpoint({ url: r.url });

  const early = await publish('order.created', { id: 1 });
  const earlyDelivery = await onlyDeliveryOf(server, early.body.id);
  const failed = await settled(server, earlyDelivery.id, 'failed');
  assert.equal(failed.attemptCount, 3);
  assert.deepEqual(
    failed.attempts.map((a: { responseStatus: number }) => a.responseStatus),
    [500, 500, 500],
  );
  assert.equal(typeof failed.lastError, 'string');
  assert.match(failed.lastError, /500/);
  assert.equal(failed.nextAttemptAt, null);
  await server.idle();
  assert.equal(r.requests.length, 3, 'no attempt beyond the schedule');

  // Only what was created since this instant is replayed.
  const since = new Date().toISOString();
  // Created strictly after `since`: the clock has moved on by at least a millisecond.
  await eventually(() => (Date.now() > Date.parse(since) ? true : undefined));
  const late = await publish('order.created', { id: 2 });
  const lateDelivery = await onlyDeliveryOf(server, late.body.id);
  await settled(server, lateDelivery.id, 'failed');
  assert.equal(r.requests.length, 6);

  const listed = await server.call('GET', `${APP}/deliveries?status=failed`);
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.data.map((d: { id: string }) => d.id).sort(), [earlyDelivery.id, lateDelivery.id].sort());
  const succeeded = await server.call('GET', `${APP}/deliveries?status=succeeded`);
  assert.deepEqual(succeeded.body.data, []);
  const stats = await server.call('GET', `${APP}/endpoints/${ep.id}/stats`);
  assert.equal(stats.status, 200);
  assert.deepEqual(stats.body.deliveries, { pending: 0, succeeded: 0, failed: 2, skipped: 0 });
  assert.deepEqual([stats.body.windows['1h'].attempts, stats.body.windows['1h'].successRate], [6, 0]);

  status = 200;
  const replay = await server.call('POST', `${APP}/endpoints/${ep.id}/replay`, { since });
  assert.equal(replay.status, 202);
  assert.deepEqual(replay.body, { replayed: 1 });
  const replayed = await settled(server, lateDelivery.id, 'succeeded');
  assert.equal(replayed.attemptCount, 4);
  assert.equal(replayed.attempts[3].responseStatus, 200);
  assert.equal(replayed.lastError, null);
  await server.idle();
  assert.equal(r.requests.length, 7);
  const untouched = await getDelivery(server, earlyDelivery.id);
  assert.equal(untouched.status, 'failed');
  assert.equal(untouched.attemptCount, 3);

  const retry = await server.call('POST', `${APP}/deliveries/${earlyDelivery.id}/retry`);
  assert.equal(retry.status, 202);
  assert.equal(retry.body.id, earlyDelivery.id);
  const retried = await settled(server, earlyDelivery.id, 'succeeded');
  assert.equal(retried.attemptCount, 4);
  assert.equal(retried.attempts[3].responseStatus, 200);
  await server.idle();
  assert.equal(r.requests.length, 8, 'the retry by hand made exactly one more attempt');
  assert.equal(r.requests[7]!.headers['webhook-id'], early.body.id);

  const after = await server.call('GET', `${APP}/endpoints/${ep.id}/stats`);
  assert.deepEqual(after.body.deliveries, { pending: 0, succeeded: 2, failed: 0, skipped: 0 });
  assert.equal(after.body.failingSince, null, 'the replays succeeded');
});

test('publishing twice with one Idempotency-Key returns the first message and delivers once; another key publishes anew', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t);
  const r = await receiver();
  await endpoint({ url: r.url });

  const first = await publish('order.created', { id: 1 }, { 'idempotency-key': 'order-1' });
  assert.equal(first.body.duplicate, false);
  assert.equal(first.body.deliveries, 1);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const again = await publish('order.created', { id: 1 }, { 'idempotency-key': 'order-1' });
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.duplicate, true);
  assert.equal(again.body.deliveries, 0);
  assert.equal(again.body.timestamp, first.body.timestamp);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');

  await r.waitFor(1);
  await server.idle();
  assert.equal(r.requests.length, 1);
  assert.equal(r.requests[0]!.headers['webhook-id'], first.body.id);
  assert.equal((await deliveriesOf(server, first.body.id)).length, 1);

  const other = await publish('order.created', { id: 1 }, { 'idempotency-key': 'order-2' });
  assert.notEqual(other.body.id, first.body.id);
  assert.equal(other.body.duplicate, false);
  assert.equal(other.body.deliveries, 1);
  const [, second] = await r.waitFor(2);
  assert.equal(second!.headers['webhook-id'], other.body.id);
  const message = await server.call('GET', `${APP}/events/${first.body.id}`);
  assert.equal(message.body.idempotencyKey, 'order-1');
});

test('a 410 Gone fails the delivery and disables the endpoint until it is enabled again', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t);
  let status = 410;
  const r = await receiver(() => ({ status }));
  const ep = await endpoint({ url: r.url });

  const gone = await publish('order.created', { id: 1 });
  const delivery = await onlyDeliveryOf(server, gone.body.id);
  const failed = await settled(server, delivery.id, 'failed');
  assert.equal(failed.attemptCount, 1, 'a 410 is not retried');
  assert.equal(failed.attempts[0].responseStatus, 410);
  const disabled = await server.call('GET', `${APP}/endpoints/${ep.id}`);
  assert.equal(disabled.body.disabled, true);
  assert.equal(typeof disabled.body.disabledAt, 'string');
  assert.equal(typeof disabled.body.disabledReason, 'string');
  assert.match(disabled.body.disabledReason, /410/);

  const later = await publish('order.created', { id: 2 });
  assert.equal(later.body.deliveries, 0);
  assert.deepEqual(await deliveriesOf(server, later.body.id), []);
  await server.idle();
  assert.equal(r.requests.length, 1);

  status = 200;
  const enabled = await server.call('PATCH', `${APP}/endpoints/${ep.id}`, { disabled: false });
  assert.equal(enabled.status, 200);
  assert.equal(enabled.body.disabled, false);
  assert.equal(enabled.body.disabledReason, null);
  const back = await publish('order.created', { id: 3 });
  assert.equal(back.body.deliveries, 1);
  await settled(server, (await onlyDeliveryOf(server, back.body.id)).id, 'succeeded');
  assert.equal(r.requests.length, 2);
  assert.equal(r.requests[1]!.headers['webhook-id'], back.body.id);
});

test('an hmac-sha256-hex endpoint gets X-Webhook-Signature over the raw body and the event, delivery and attempt headers', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t);
  const r = await receiver((_q, n) => ({ status: n === 0 ? 503 : 200 }));
  const ep = await endpoint({ url: r.url, signatureScheme: 'hmac-sha256-hex' });
  const published = await publish('invoice.paid', { amount: 12.5, note: 'café ✓' });
  const { id } = await onlyDeliveryOf(server, published.body.id);

  const requests = await r.waitFor(2);
  await settled(server, id, 'succeeded');
  requests.forEach((request, i) => {
    const expected = `sha256=${createHmac('sha256', ep.secret).update(Buffer.from(request.body, 'utf8')).digest('hex')}`;
    assert.equal(request.headers['x-webhook-signature'], expected);
    assert.equal(request.headers['x-webhook-event'], 'invoice.paid');
    assert.equal(request.headers['x-webhook-delivery'], id);
    assert.equal(request.headers['x-webhook-attempt'], String(i + 1));
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      type: 'invoice.paid',
      timestamp: published.body.timestamp,
      data: { amount: 12.5, note: 'café ✓' },
    });
  });
});

test('a 429 with Retry-After: 1 delays the next attempt by about a second though the schedule says 50 ms', async (t) => {
  // Retry-After is capped at the schedule's longest delay (domain/retry.ts), so the schedule reaches past 1 s.
  const { server, receiver, endpoint, publish } = await setup(t, { retrySchedule: '0,50ms,5s', retryJitter: 0 });
  const r = await receiver((_q, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
  await endpoint({ url: r.url });
  const published = await publish('order.created', { id: 1 });
  const { id } = await onlyDeliveryOf(server, published.body.id);

  const delivery = await settled(server, id, 'succeeded');
  assert.deepEqual(
    delivery.attempts.map((a: { responseStatus: number }) => a.responseStatus),
    [429, 200],
  );
  const gap = r.requests[1]!.at - r.requests[0]!.at;
  assert.ok(gap >= 950, `the retry came ${gap} ms after a 429 asking for 1 s`);
  assert.ok(gap < 4000, `the retry came ${gap} ms after a 429 asking for 1 s`);
});

test('redirects are not followed: a 302 is a failed attempt and the Location gets nothing', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t, { retrySchedule: '0' });
  const target = await receiver();
  const r = await receiver(() => ({ status: 302, headers: { location: target.url } }));
  await endpoint({ url: r.url, events: ['order.created'] });
  const published = await publish('order.created', { id: 1 });
  const { id } = await onlyDeliveryOf(server, published.body.id);

  const delivery = await settled(server, id, 'failed');
  assert.equal(delivery.attemptCount, 1);
  assert.equal(delivery.attempts[0].responseStatus, 302);
  assert.match(delivery.lastError, /302/);
  await server.idle();
  assert.equal(r.requests.length, 1);
  assert.equal(target.requests.length, 0);
});

test('a slow endpoint at its concurrency limit does not hold up another endpoint’s deliveries of the same messages', async (t) => {
  const { server, receiver, endpoint, publish } = await setup(t, {
    endpointConcurrency: 2,
    concurrency: 4,
    timeout: '5s',
    lease: '10s',
  });
  const slow = await receiver(() => ({ status: 200, delayMs: 2000 }));
  const fast = await receiver();
  await endpoint({ url: slow.url });
  const fastEp = await endpoint({ url: fast.url });

  const started = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await publish('order.created', { i })).body.id);
  await fast.waitFor(10, 3000);
  const took = fast.requests[9]!.at - started;
  assert.ok(took < 1500, `the fast endpoint got its 10 deliveries ${took} ms after publishing began`);
  assert.deepEqual(fast.requests.map((q) => q.headers['webhook-id']).sort(), [...ids].sort());
  // Meanwhile the slow endpoint never had more than its 2 requests in flight.
  assert.equal(slow.requests.length, 2);
  await eventually(
    async () => {
      const stats = await server.call('GET', `${APP}/endpoints/${fastEp.id}/stats`);
      return stats.body.deliveries.succeeded === 10 ? true : undefined;
    },
    1000,
    'the fast endpoint’s 10 deliveries to be recorded as succeeded',
  );
});

test('messages are listed newest first with cursor pages and a type filter, each with its deliveries', async (t) => {
  const { server, appId, receiver, endpoint, publish } = await setup(t);
  const r1 = await receiver();
  const r2 = await receiver();
  const ep1 = await endpoint({ url: r1.url });
  const ep2 = await endpoint({ url: r2.url, events: ['order.*'] });

  const published: { id: string; type: string; timestamp: string }[] = [];
  for (const [i, type] of ['order.created', 'invoice.paid', 'order.created', 'order.shipped', 'order.created'].entries()) {
    published.push((await publish(type, { i })).body);
  }

  const walk = async (query: string) => {
    const pages: { id: string; type: string; timestamp: string }[][] = [];
    let after: string | null = null;
    do {
      const answer = await server.call('GET', `${APP}/events?limit=2${query}${after ? `&after=${after}` : ''}`);
      assert.equal(answer.status, 200);
      assert.ok(answer.body.data.length <= 2, `a page of limit 2 held ${answer.body.data.length} messages`);
      pages.push(answer.body.data);
      after = answer.body.nextCursor;
    } while (after !== null && pages.length < 10);
    return pages;
  };
  const pages = await walk('');
  assert.deepEqual(
    pages.map((p) => p.length),
    [2, 2, 1],
  );
  const listed = pages.flat();
  assert.deepEqual(listed.map((m) => m.id).sort(), published.map((m) => m.id).sort());
  for (let i = 1; i < listed.length; i++) assert.ok(listed[i - 1]!.timestamp >= listed[i]!.timestamp, 'newest first');

  const created = (await walk('&type=order.created')).flat();
  assert.deepEqual(
    created.map((m) => m.id).sort(),
    published
      .filter((m) => m.type === 'order.created')
      .map((m) => m.id)
      .sort(),
  );
  assert.deepEqual(new Set(created.map((m) => m.type)), new Set(['order.created']));

  const shipped = published[3]!;
  const message = await server.call('GET', `${APP}/events/${shipped.id}`);
  assert.equal(message.status, 200);
  assert.deepEqual(message.body, {
    id: shipped.id,
    appId,
    type: 'order.shipped',
    timestamp: shipped.timestamp,
    data: { i: 3 },
    idempotencyKey: null,
    purged: false,
  });
  const missing = await server.call('GET', `${APP}/events/msg_nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'message_not_found');

  await Promise.all([r1.waitFor(5), r2.waitFor(4)]);
  const deliveries = await eventually(async () => {
    const list = await deliveriesOf(server, shipped.id);
    return list.every((d) => d.status === 'succeeded') ? list : undefined;
  });
  assert.deepEqual(deliveries.map((d) => d.endpointId).sort(), [ep1.id, ep2.id].sort());
  for (const d of deliveries) {
    assert.equal(d.messageId, shipped.id);
    assert.equal(d.attemptCount, 1);
  }
  const invoice = await deliveriesOf(server, published[1]!.id);
  assert.deepEqual(
    invoice.map((d) => d.endpointId),
    [ep1.id],
  );
});
