/**
 * Retention end to end: a real hookd with an injected clock and a short purge interval. Once events are older
 * than the retention age their data and attempts go, their deliveries and counts stay, and newer events are untouched.
 * Then the purge loop alone: batches until one comes back short, and a store error does not stop it.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { manualClock } from '../../sdk/test/support.js';
import { RetentionLoop } from '../src/ops/index.js';
import type { PurgeInput, PurgeResult } from '../src/store/index.js';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const DAY = 86_400_000;
const APP = '/v1/apps/acme';

test('after the retention age an event’s data and attempts are purged; its deliveries, counts and newer events stay', async (t) => {
  // Real time, plus however far the test moves it: retries 50 ms apart still come due.
  const clock = { offset: 0 };
  const server = await startTestHookd({ retention: '1d', retentionInterval: '20ms' }, { clock: () => Date.now() + clock.offset });
  const ok = await startReceiver();
  const broken = await startReceiver(() => ({ status: 500 }));
  t.after(async () => {
    await Promise.all([ok.close(), broken.close()]);
    await server.close();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const good = (await server.call('POST', `${APP}/endpoints`, { url: ok.url })).body as { id: string };
  const bad = (await server.call('POST', `${APP}/endpoints`, { url: broken.url })).body as { id: string };

  const finished = async (msg: string) =>
    eventually(
      async () => {
        const { body } = await server.call('GET', `${APP}/events/${msg}/deliveries`);
        const list = body.data as { id: string; endpointId: string; status: string }[];
        return list.length === 2 && list.every((d) => d.status !== 'pending') ? list : undefined;
      },
      5000,
      `the deliveries of ${msg} to finish`,
    );
  const publish = async (data: unknown) => {
    const answer = await server.call('POST', `${APP}/events`, { type: 'order.created', data });
    assert.equal(answer.status, 202);
    return answer.body.id as string;
  };

  const old = await publish({ order: 1 });
  const oldDeliveries = await finished(old);
  const statusOf = (list: { endpointId: string; status: string }[]) =>
    Object.fromEntries(list.map((d) => [d.endpointId === good.id ? 'good' : 'bad', d.status]));
  assert.deepEqual(statusOf(oldDeliveries), { good: 'succeeded', bad: 'failed' });
  assert.equal((await server.call('GET', `${APP}/events/${old}`)).body.purged, false, 'not purged before its time');

  clock.offset += 2 * DAY;
  const recent = await publish({ order: 2 });
  const recentDeliveries = await finished(recent);

  const purged = await eventually(
    async () => {
      const { body } = await server.call('GET', `${APP}/events/${old}`);
      return body.purged === true ? body : undefined;
    },
    5000,
    'the old event to be purged',
  );
  assert.equal(purged.data, null);
  assert.equal(purged.id, old);
  assert.equal(purged.type, 'order.created');

  assert.deepEqual(statusOf(await finished(old)), { good: 'succeeded', bad: 'failed' }, 'its deliveries are still listed');
  for (const delivery of oldDeliveries) {
    const { body } = await server.call('GET', `${APP}/deliveries/${delivery.id}`);
    assert.deepEqual(body.attempts, [], 'its attempts are gone');
    assert.ok(body.attemptCount >= 1, 'the delivery keeps its attempt count');
  }
  const counts = async (ep: { id: string }) => (await server.call('GET', `${APP}/endpoints/${ep.id}/stats`)).body.deliveries;
  assert.deepEqual(await counts(good), { pending: 0, succeeded: 2, failed: 0, skipped: 0 }, 'the purged event still counts');
  assert.deepEqual(await counts(bad), { pending: 0, succeeded: 0, failed: 2, skipped: 0 }, 'the purged event still counts');

  const kept = await server.call('GET', `${APP}/events/${recent}`);
  assert.deepEqual([kept.body.purged, kept.body.data], [false, { order: 2 }], 'the newer event keeps its data');
  for (const delivery of recentDeliveries) {
    const { body } = await server.call('GET', `${APP}/deliveries/${delivery.id}`);
    assert.ok(body.attempts.length >= 1, 'the newer event keeps its attempts');
  }
  const listed = await server.call('GET', `${APP}/events`);
  assert.deepEqual(
    listed.body.data.map((m: { id: string; purged: boolean }) => [m.id, m.purged]),
    [
      [recent, false],
      [old, true],
    ],
  );

  // Nothing is left to send for the purged event: a retry is refused, a replay passes over it.
  const failedOld = oldDeliveries.find((d) => d.endpointId === bad.id);
  assert.ok(failedOld);
  const retried = await server.call('POST', `${APP}/deliveries/${failedOld.id}/retry`);
  assert.equal(retried.status, 409);
  assert.equal(retried.body.error.code, 'message_purged');
  const replayed = await server.call('POST', `${APP}/endpoints/${bad.id}/replay`, { since: new Date(0).toISOString() });
  assert.equal(replayed.status, 202);
  assert.equal(replayed.body.replayed, 1, 'only the newer event’s failed delivery is replayed');
  // Nor anything to try an endpoint's rules on: both trials refuse the purged event with the same code.
  for (const rule of ['test-filter', 'test-transformation']) {
    const tried = await server.call('POST', `${APP}/endpoints/${good.id}/${rule}`, { messageId: old });
    assert.deepEqual([tried.status, tried.body.error?.code], [409, 'message_purged'], rule);
  }
});

/** A pino logger whose lines the test reads. */
function capturedLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

test('the purge loop works in batches until one comes back short, and survives a store error', async () => {
  const calls: PurgeInput[] = [];
  const auditCalls: PurgeInput[] = [];
  const answers: (PurgeResult | Error)[] = [
    new Error('database away'),
    { attempts: 3, messages: 1, recoveryRecords: 0 },
    { attempts: 0, messages: 1, recoveryRecords: 3 },
    { attempts: 2, messages: 0, recoveryRecords: 1 },
  ];
  const { logger, lines } = capturedLogger();
  const time = manualClock();
  const loop = new RetentionLoop({
    store: {
      async purgeBefore(input) {
        calls.push(input);
        const answer = answers.shift() ?? { attempts: 0, messages: 0, recoveryRecords: 0 };
        if (answer instanceof Error) throw answer;
        return answer;
      },
      async purgeAuditLog(input) {
        auditCalls.push(input);
        return 0;
      },
    },
    maxAgeMs: DAY,
    auditMaxAgeMs: 5 * DAY,
    intervalMs: 20,
    logger,
    clock: () => 10 * DAY,
    batchSize: 3,
    pauseMs: 1,
    timers: time,
  });
  loop.start();
  try {
    // Each wait (the interval after the error, the pauses between batches) is let go once the loop is in it.
    while (calls.length < 5) {
      const due = await eventually(() => time.pending()[0], 2000, 'the purge to run again after the error');
      time.advance(due - time.now());
    }
    await eventually(() => time.pending()[0], 2000, 'the loop to wait for its next pass'); // stopped while it waits
  } finally {
    await loop.stop();
  }
  assert.ok(
    calls.every((c) => c.cutoff === 9 * DAY && c.limit === 3),
    'every batch asks for what is older than the age',
  );
  assert.ok(auditCalls.length > 0, 'each pass trims the audit log too');
  assert.ok(
    auditCalls.every((c) => c.cutoff === 5 * DAY),
    'audit entries go by their own, longer age',
  );
  assert.ok(lines.some((l) => l.level === 50 && /retention purge failed/.test(l.msg)));
  const purged = lines.filter((l) => l.level === 30 && /retention purged/.test(l.msg));
  assert.deepEqual(
    purged.map((l) => [l.purgedAttempts, l.purgedPayloads, l.purgedRecoveryRecords]),
    [[5, 2, 4]],
    'three batches in one pass, logged once',
  );
  // Time moves only by hand here: with no timer left, nothing can run the loop again.
  assert.deepEqual(time.pending(), [], 'a stopped loop purges no more');
});
