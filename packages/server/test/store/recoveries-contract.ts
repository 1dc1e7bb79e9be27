/**
 * The recovery-job contract (RecoveryStore in roles.ts): the dry-run count, batches that re-queue exactly the
 * matching deliveries once per job (across a lost lease too), cancel, and where the re-queued deliveries stand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId, type RecoveryFilter, type RecoveryJob } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import type { OpenStore } from './backends.js';
import { aMessage, anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';

const LEASE = { leaseMs: 30_000 };

/** An app with two endpoints and `n` messages of each of two types, every delivery failed once. */
async function failedDeliveries(store: Store, n: number) {
  const app = await store.createApp(anApp());
  const a = await store.createEndpoint(anEndpoint(app.id, { url: 'http://127.0.0.1:9/a' }));
  const b = await store.createEndpoint(anEndpoint(app.id, { url: 'http://127.0.0.1:9/b' }));
  for (let i = 0; i < n; i++) {
    for (const type of ['order.created', 'order.paid']) {
      await store.publishMessage({ message: aMessage(app.id, type, T0 + i), idempotencyWindowMs: 0 });
    }
  }
  const claimed = await store.claimDueDeliveries({
    now: T0 + n,
    limit: 4 * n,
    leaseMs: 30_000,
    endpointCap: 1000,
    inFlight: new Map(),
  });
  assert.equal(claimed.length, 4 * n);
  for (const [i, item] of claimed.entries()) {
    // Every other delivery timed out; the rest got a 500.
    const timedOut = i % 2 === 0;
    await store.recordAttempt({
      attempt: anAttempt(item.delivery.id, {
        startedAt: T0 + n,
        responseStatus: timedOut ? null : 500,
        error: timedOut ? { code: 'headers_timeout', message: 'no headers' } : { code: 'http_status', message: 'HTTP 500' },
      }),
      leaseToken: item.leaseToken,
      next: { status: 'failed' },
      now: T0 + n,
    });
  }
  return { app, a, b };
}

function aJob(appId: string, filter: RecoveryFilter, total: number): RecoveryJob {
  const at = T0 + 10_000;
  const job = { id: newId('rcv', at), appId, filter, status: 'running' as const, total, requeued: 0, scanned: 0 };
  return { ...job, createdBy: 'admin', createdAt: at, updatedAt: at, finishedAt: null };
}

/** Claims the job with `token` and runs batches of `limit` until it stops running; the batches' re-queued counts. */
async function runToEnd(store: Store, token: string, now: number, limit: number) {
  const job = await store.claimRecovery({ leaseToken: token, now, ...LEASE });
  assert.ok(job, 'a running job to claim');
  const counts: number[] = [];
  for (;;) {
    const batch = await store.runRecoveryBatch({ jobId: job.id, leaseToken: token, now, limit, ...LEASE });
    if (!batch.held) break;
    counts.push(batch.requeued);
    if (batch.job?.status !== 'running') break;
  }
  return counts;
}

export function recoveriesContract(open: OpenStore): void {
  test('counts what a filter matches, then re-queues exactly that, batch by batch, once per job', async () => {
    await withOpenStore(open, async (store) => {
      const { app, a } = await failedDeliveries(store, 6);
      const all = await store.countRecoverable(app.id, { status: 'failed' });
      assert.equal(all.total, 24);
      assert.equal(all.byEndpoint.length, 2);
      const filter: RecoveryFilter = { status: 'failed', endpointId: a.id, eventTypes: ['order.paid'], since: T0 + 2 };
      const narrow = await store.countRecoverable(app.id, filter);
      assert.deepEqual(narrow, { total: 4, byEndpoint: [{ endpointId: a.id, count: 4 }] });
      const timeouts = await store.countRecoverable(app.id, { status: 'failed', errorCode: 'headers_timeout' });
      assert.equal(timeouts.total, 12);

      const job = await store.createRecovery(aJob(app.id, { status: 'failed', errorCode: 'headers_timeout' }, 12));
      assert.equal((await store.listRecoveries(app.id, { limit: 10 })).data[0]?.id, job.id);
      const batches = await runToEnd(store, 'lease-1', T0 + 20_000, 5);
      assert.equal(batches.length, 5, '24 failed deliveries looked at, 5 at a time');
      assert.equal(
        batches.reduce((n, k) => n + k, 0),
        12,
      );
      const done = await store.findRecovery(app.id, job.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.requeued, 12);
      assert.equal(done?.scanned, 24);
      assert.equal((await store.countRecoverable(app.id, { status: 'failed' })).total, 12, 'the others are still failed');
      assert.deepEqual(await store.recoveryOutcome(job.id), { delivered: 0, failedAgain: 0, waiting: 12 });
      assert.equal(await store.claimRecovery({ leaseToken: 'lease-2', now: T0 + 99_000, ...LEASE }), null, 'nothing left to run');

      // The re-queued deliveries fail again: the same job, run again, would not touch them; its outcome says so.
      const claimed = await store.claimDueDeliveries({
        now: T0 + 20_000,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
      });
      assert.equal(claimed.length, 12);
      for (const [i, item] of claimed.entries()) {
        await store.recordAttempt({
          attempt: anAttempt(item.delivery.id, { number: 2, startedAt: T0 + 20_000, responseStatus: i < 4 ? 200 : 500 }),
          leaseToken: item.leaseToken,
          next: i < 4 ? { status: 'succeeded' } : { status: 'failed' },
          now: T0 + 20_000,
        });
      }
      assert.deepEqual(await store.recoveryOutcome(job.id), { delivered: 4, failedAgain: 8, waiting: 0 });
    });
  });

  test('retention takes a job finished before its cutoff, its records a batch at a time; a newer or running one stays', async () => {
    await withOpenStore(open, async (store) => {
      const { app, a, b } = await failedDeliveries(store, 3);
      const old = await store.createRecovery(aJob(app.id, { status: 'failed', endpointId: a.id }, 6));
      assert.deepEqual(await runToEnd(store, 'old', T0 + 20_000, 100), [6]);
      const newer = await store.createRecovery({
        ...aJob(app.id, { status: 'failed', endpointId: b.id }, 6),
        id: newId('rcv', T0 + 30_000),
      });
      assert.deepEqual(await runToEnd(store, 'newer', T0 + 40_000, 100), [6]);
      const running = await store.createRecovery({ ...aJob(app.id, { status: 'failed' }, 0), id: newId('rcv', T0 + 50_000) });

      const purge = async () => (await store.purgeBefore({ cutoff: T0 + 30_000, limit: 4 })).recoveryRecords;
      assert.equal(await purge(), 4);
      assert.ok(await store.findRecovery(app.id, old.id), 'a job stays while it has records left');
      assert.equal(await purge(), 2);
      assert.equal(await store.findRecovery(app.id, old.id), null, 'gone with its last record');
      assert.equal(await purge(), 0);
      assert.equal((await store.findRecovery(app.id, newer.id))?.status, 'completed');
      assert.deepEqual(await store.recoveryOutcome(newer.id), { delivered: 0, failedAgain: 0, waiting: 6 });
      assert.equal((await store.findRecovery(app.id, running.id))?.status, 'running');
    });
  });

  test('one runner holds a job at a time; a lost lease passes it on without re-queuing twice; cancel stops it', async () => {
    await withOpenStore(open, async (store) => {
      const { app } = await failedDeliveries(store, 5);
      const job = await store.createRecovery(aJob(app.id, { status: 'failed' }, 20));
      const now = T0 + 20_000;
      assert.ok(await store.claimRecovery({ leaseToken: 'first', now, ...LEASE }));
      assert.equal(await store.claimRecovery({ leaseToken: 'second', now, ...LEASE }), null, 'the lease holds');
      const one = await store.runRecoveryBatch({ jobId: job.id, leaseToken: 'first', now, limit: 6, ...LEASE });
      assert.equal(one.requeued, 6);
      // The first runner dies here; after its lease runs out a second takes over from the high-water mark.
      const later = now + 31_000;
      assert.deepEqual(await runToEnd(store, 'second', later, 6), [6, 6, 2]);
      const stale = await store.runRecoveryBatch({ jobId: job.id, leaseToken: 'first', now: later, limit: 6, ...LEASE });
      assert.equal(stale.held, false, 'the old runner is told to stop');
      assert.equal((await store.findRecovery(app.id, job.id))?.requeued, 20);
      assert.equal((await store.recoveryOutcome(job.id)).waiting, 20);

      // A second job over what failed again is cancelled after its first batch.
      const claimed = await store.claimDueDeliveries({
        now: later,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
      });
      for (const item of claimed) {
        await store.recordAttempt({
          attempt: anAttempt(item.delivery.id, { number: 2, startedAt: later, responseStatus: 500 }),
          leaseToken: item.leaseToken,
          next: { status: 'failed' },
          now: later,
        });
      }
      const next = await store.createRecovery(aJob(app.id, { status: 'failed' }, 20));
      assert.ok(await store.claimRecovery({ leaseToken: 'third', now: later, ...LEASE }));
      assert.equal(
        (await store.runRecoveryBatch({ jobId: next.id, leaseToken: 'third', now: later, limit: 5, ...LEASE })).requeued,
        5,
      );
      const cancelled = await store.cancelRecovery(app.id, next.id, later + 1);
      assert.equal(cancelled?.status, 'cancelled');
      assert.equal(await store.cancelRecovery(app.id, next.id, later + 2), null, 'only a running job is cancelled');
      const after = await store.runRecoveryBatch({ jobId: next.id, leaseToken: 'third', now: later, limit: 5, ...LEASE });
      assert.equal(after.held, false);
      assert.equal(after.job?.requeued, 5);
      assert.equal((await store.countRecoverable(app.id, { status: 'failed' })).total, 15);
    });
  });
}
