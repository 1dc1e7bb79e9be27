/** The SQLite receiver queue in one process: handling, retries, dead letters, replay, concurrency, stop and close. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { QueueError } from '../../src/queue/errors.js';
import { createSqliteQueue, whenQueueIdle } from '../../src/queue/sqlite.js';
import type { HandleContext, ReceivedWebhook, WebhookQueue } from '../../src/queue/types.js';
import { manualClock, sleep } from '../support.js';
import { countJobs, deferred, eventually, inspect, tempDir, webhook } from './helpers.js';

const files = tempDir();

/** Closes the queue even when the test fails, so no loop or handle is left behind. */
async function using(queue: WebhookQueue, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } finally {
    await queue.close();
  }
}

test('an enqueued webhook is handled once, as it was received', async () => {
  const path = files.file('once.db');
  const queue = createSqliteQueue({ path, pollIntervalMs: 10 });
  const calls: [ReceivedWebhook, HandleContext][] = [];
  await using(queue, async () => {
    queue.start(async (received, context) => {
      calls.push([received, context]);
    });
    const sent = webhook('msg_1', { headers: { 'webhook-id': 'msg_1', 'x-custom': 'a b,c' }, body: '{"ü":"✓"}' });
    await queue.enqueue(sent);
    await eventually(() => calls.length === 1, 'the handler');
    // Removed from the file, the job cannot come back.
    await eventually(() => countJobs(path) === 0, 'the handled job to be removed');
    assert.deepEqual(calls, [[sent, { attempt: 1 }]]);
    assert.equal(countJobs(path), 0, 'a handled job is removed');
  });
});

test('enqueue resolves only once the webhook is in the file, seen by another connection', async () => {
  const path = files.file('durable.db');
  const queue = createSqliteQueue({ path });
  await using(queue, async () => {
    await queue.enqueue(webhook('msg_1'));
    const rows = inspect(path, (db) => db.prepare('SELECT webhook_id, attempts FROM hookd_queue_jobs').all());
    assert.deepEqual(rows, [{ webhook_id: 'msg_1', attempts: 0 }]);
  });
});

test('enqueue wakes the loop at once instead of waiting for the poll', async () => {
  const clock = manualClock();
  const queue = createSqliteQueue({ path: files.file('wake.db'), pollIntervalMs: 60_000, clock: clock.now, timers: clock });
  const handled: string[] = [];
  await using(queue, async () => {
    queue.start(async (received) => {
      handled.push(received.id);
    });
    // Time stands still here: only a wake-up can end the loop's sleep.
    await eventually(() => clock.pending()[0] === clock.now() + 60_000, 'the loop to sleep for the whole poll');
    await queue.enqueue(webhook('msg_1'));
    await queue.enqueue(webhook('msg_2'));
    await eventually(() => handled.length === 2, 'both webhooks within moments', 2_000);
    assert.deepEqual(handled, ['msg_1', 'msg_2']);
  });
});

test('a handler that throws twice is retried on the backoff schedule from the injected clock and random', async () => {
  const path = files.file('retry.db');
  const clock = manualClock();
  const start = clock.now();
  // random 0.75 → jitter factor 1 + 0.2 × 0.5 = 1.1 on the default schedule: 1100 ms, then 2200 ms.
  const queue = createSqliteQueue({ path, clock: clock.now, timers: clock, random: () => 0.75, pollIntervalMs: 5 });
  const calls: { attempt: number; at: number }[] = [];
  await using(queue, async () => {
    queue.start(async (_received, { attempt }) => {
      calls.push({ attempt, at: clock.now() });
      if (attempt < 3) throw new Error(`failure ${attempt}`);
    });
    await queue.enqueue(webhook('msg_1'));
    await eventually(() => calls.length === 1, 'the first attempt');
    await eventually(() => readRunAt(path) === start + 1_100, 'the retry to be scheduled');
    // Time moves only while the loop sleeps, so each advance reaches the timer it set.
    await whenQueueIdle(queue);
    clock.advance(1_099);
    await whenQueueIdle(queue); // the loop looked at 1099 ms and found nothing due
    assert.equal(calls.length, 1, 'not retried before the backoff is over');
    clock.advance(1);
    await eventually(() => calls.length === 2, 'the second attempt');
    await eventually(() => readRunAt(path) === start + 1_100 + 2_200, 'the second retry to be scheduled');
    await whenQueueIdle(queue);
    clock.advance(2_200);
    await eventually(() => calls.length === 3, 'the third attempt');
    await eventually(() => countJobs(path) === 0, 'the job to be removed');
    assert.deepEqual(calls, [
      { attempt: 1, at: start },
      { attempt: 2, at: start + 1_100 },
      { attempt: 3, at: start + 3_300 },
    ]);
  });
});

test('the loop sleeps exactly until a retry is due, not for a whole poll', async () => {
  const clock = manualClock();
  const start = clock.now();
  const queue = createSqliteQueue({
    path: files.file('retry-timer.db'),
    pollIntervalMs: 60_000,
    backoff: { baseMs: 40, factor: 2, jitter: 0 },
    clock: clock.now,
    timers: clock,
  });
  const times: number[] = [];
  await using(queue, async () => {
    queue.start(async (_received, { attempt }) => {
      times.push(clock.now());
      if (attempt < 3) throw new Error('not yet');
    });
    await queue.enqueue(webhook('msg_1'));
    // Nothing wakes the loop between attempts: only its own timer, set for when the retry is due, brings the next one.
    await eventually(() => times.length === 1 && clock.pending().join() === `${start + 40}`, 'a sleep until the retry');
    clock.advance(40);
    await eventually(() => times.length === 2 && clock.pending().join() === `${start + 120}`, 'a sleep until the retry');
    clock.advance(80);
    await eventually(() => times.length === 3, 'the third attempt');
    assert.deepEqual(times, [start, start + 40, start + 120]);
  });
});

test('a handler that always throws is dead-lettered after maxAttempts with its last error', async () => {
  const path = files.file('dead.db');
  const clock = manualClock();
  const queue = createSqliteQueue({ path, clock: clock.now, maxAttempts: 3, backoff: () => 0, pollIntervalMs: 5 });
  const attempts: number[] = [];
  await using(queue, async () => {
    queue.start(async (_received, { attempt }) => {
      attempts.push(attempt);
      throw new TypeError(`failure ${attempt}`);
    });
    const sent = webhook('msg_dead');
    await queue.enqueue(sent);
    let dead = await queue.listDeadLetters();
    // A dead letter leaves the job table in the same transaction: no attempt can follow it.
    await eventually(async () => {
      dead = await queue.listDeadLetters();
      return dead.length > 0;
    }, 'the dead letter');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(dead.length, 1);
    const [letter] = dead;
    assert.match(letter!.jobId, /^job_/);
    assert.deepEqual(
      { ...letter, jobId: undefined },
      { jobId: undefined, webhook: sent, attempts: 3, lastError: 'TypeError: failure 3', failedAt: clock.now() },
    );
    assert.equal(countJobs(path), 0, 'a dead letter leaves the job table');
  });
});

test('replaying dead letters brings them back with a fresh attempt count', async () => {
  const queue = createSqliteQueue({ path: files.file('replay.db'), maxAttempts: 2, backoff: () => 0, pollIntervalMs: 5 });
  let healthy = false;
  const calls: { id: string; attempt: number }[] = [];
  await using(queue, async () => {
    queue.start(async (received, { attempt }) => {
      calls.push({ id: received.id, attempt });
      if (!healthy) throw new Error('downstream is down');
    });
    for (const id of ['msg_a', 'msg_b', 'msg_c']) await queue.enqueue(webhook(id));
    await eventually(() => calls.length === 6, 'two attempts of each');
    let dead = await queue.listDeadLetters();
    await eventually(async () => {
      dead = await queue.listDeadLetters();
      return dead.length === 3;
    }, 'three dead letters');
    assert.deepEqual(dead.map((d) => d.webhook.id).sort(), ['msg_a', 'msg_b', 'msg_c']);
    assert.equal((await queue.listDeadLetters({ limit: 2 })).length, 2, 'limit bounds the listing');

    healthy = true;
    calls.length = 0;
    const chosen = dead.find((d) => d.webhook.id === 'msg_b')!;
    assert.equal(await queue.replayDeadLetters([chosen.jobId, 'job_unknown']), 1, 'only known ids are replayed');
    await eventually(() => calls.length === 1, 'the replayed webhook');
    assert.deepEqual(calls, [{ id: 'msg_b', attempt: 1 }]);
    assert.deepEqual((await queue.listDeadLetters()).map((d) => d.webhook.id).sort(), ['msg_a', 'msg_c']);

    assert.equal(await queue.replayDeadLetters(), 2, 'no ids replays all of them');
    await eventually(() => calls.length === 3, 'the other two');
    assert.deepEqual(calls.map((c) => `${c.id}#${c.attempt}`).sort(), ['msg_a#1', 'msg_b#1', 'msg_c#1']);
    assert.deepEqual(await queue.listDeadLetters(), []);
    assert.equal(await queue.replayDeadLetters(), 0);
  });
});

test('no more than `concurrency` handlers run at once, and the limit is used', async () => {
  const queue = createSqliteQueue({ path: files.file('concurrency.db'), concurrency: 3, pollIntervalMs: 1_000 });
  let running = 0;
  let most = 0;
  const handled = new Set<string>();
  /** Handlers held until the test lets them finish, oldest first. */
  const held: (() => void)[] = [];
  await using(queue, async () => {
    queue.start(async (received) => {
      running++;
      most = Math.max(most, running);
      const release = deferred();
      held.push(release.resolve);
      await release.promise;
      running--;
      handled.add(received.id);
    });
    await Promise.all(Array.from({ length: 12 }, (_, i) => queue.enqueue(webhook(`msg_${i}`))));
    try {
      // Each time one finishes, the next takes its slot: the limit is filled and never passed.
      for (let released = 0; released < 12; released++) {
        await eventually(() => held.length === Math.min(3, 12 - released), `${Math.min(3, 12 - released)} handlers running`);
        held.shift()?.();
      }
    } finally {
      for (const release of held.splice(0)) release(); // so a failure does not leave close() waiting on them
    }
    await eventually(() => handled.size === 12, 'all twelve');
    assert.equal(most, 3);
  });
});

// A stop() that never woke the loop would wait on a timer that never fires here: the timeout makes that a failure.
test('stop() waits for handlers in progress and takes no new work', { timeout: 10_000 }, async () => {
  const path = files.file('stop.db');
  const clock = manualClock();
  const queue = createSqliteQueue({ path, pollIntervalMs: 5, clock: clock.now, timers: clock });
  const gate = deferred();
  const started: string[] = [];
  let finished = 0;
  await using(queue, async () => {
    queue.start(async (received) => {
      started.push(received.id);
      await gate.promise;
      finished++;
    });
    await queue.enqueue(webhook('msg_1'));
    await eventually(() => started.length === 1, 'the handler to start');
    // The loop sleeps beside the running handler (whose lease renewal is the other timer).
    await eventually(() => clock.pending().length === 2, 'the loop to sleep');
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    await sleep(20); // bounded on purpose: stop() must not resolve while the handler runs
    assert.equal(stopped, false, 'stop() is still waiting for the running handler');
    gate.resolve();
    await stopping;
    assert.equal(finished, 1);
    // Time moves only by hand here: with no timer left, nothing can run the loop again.
    assert.deepEqual(clock.pending(), [], 'a stopped queue keeps no timer');
    await queue.enqueue(webhook('msg_2'));
    assert.deepEqual(started, ['msg_1'], 'a stopped queue handles nothing new');
    assert.equal(countJobs(path), 1, 'the new webhook waits in the file');
  });
});

test('a slow handler keeps its lease, so a second process on the file does not take the job', async () => {
  const path = files.file('heartbeat.db');
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  const clock = manualClock();
  const options = { path, leaseMs: 150, pollIntervalMs: 5, onError, clock: clock.now, timers: clock };
  const first = createSqliteQueue(options);
  const second = createSqliteQueue(options);
  const calls: string[] = [];
  const release = deferred();
  try {
    const slow = async (received: ReceivedWebhook) => {
      calls.push(received.id);
      await release.promise;
    };
    first.start(slow);
    await first.enqueue(webhook('msg_slow'));
    await eventually(() => calls.length === 1, 'the first process to take the job');
    second.start(slow);
    // Four leases long, a third of a lease at a time: each renewal moves the lease on, and the second process,
    // looking after each, finds nothing due.
    for (let step = 0; step < 12; step++) {
      clock.advance(50);
      await eventually(() => readRunAt(path) === clock.now() + 150, 'the lease to be renewed');
      await whenQueueIdle(second);
    }
    release.resolve();
    await eventually(() => countJobs(path) === 0, 'the job to finish', 3_000);
    assert.deepEqual(calls, ['msg_slow']);
    assert.deepEqual(errors, []);
  } finally {
    release.resolve();
    await first.close();
    await second.close();
  }
});

test('misuse fails with stable codes', async () => {
  const queue = createSqliteQueue({ path: files.file('misuse.db') });
  queue.start(async () => {});
  assert.throws(() => queue.start(async () => {}), isQueueError('queue_already_started'));
  await queue.close();
  await queue.close(); // closing twice is harmless
  await assert.rejects(queue.enqueue(webhook('msg_1')), isQueueError('queue_closed'));
  assert.throws(() => queue.start(async () => {}), isQueueError('queue_closed'));
  for (const bad of [{ concurrency: 0 }, { maxAttempts: 1.5 }, { leaseMs: -1 }, { pollIntervalMs: 0 }]) {
    assert.throws(() => createSqliteQueue({ path: files.file('never.db'), ...bad }), isQueueError('queue_option_invalid'));
  }
});

test('a queue can be stopped and started again', async () => {
  const queue = createSqliteQueue({ path: files.file('restart.db'), pollIntervalMs: 5 });
  const handled: string[] = [];
  await using(queue, async () => {
    const handler = async (received: ReceivedWebhook) => {
      handled.push(received.id);
    };
    queue.start(handler);
    await queue.stop();
    await queue.enqueue(webhook('msg_1'));
    queue.start(handler);
    await eventually(() => handled.length === 1, 'the handler after restart');
  });
});

test('a database it cannot open rejects enqueue and reports to onError, without an unhandled rejection', async () => {
  const errors: unknown[] = [];
  const queue = createSqliteQueue({ path: '/nonexistent-hookd-dir/queue.db', onError: (error) => errors.push(error) });
  queue.start(async () => {});
  await assert.rejects(queue.enqueue(webhook('msg_1')), /directory does not exist|unable to open/i);
  await eventually(() => errors.length === 1, 'onError');
  await queue.close();
});

test('a database passed in is used as is and left open by close()', async () => {
  const db = new Database(files.file('given.db'));
  const queue = createSqliteQueue({ db, pollIntervalMs: 5 });
  const handled: string[] = [];
  try {
    queue.start(async (received) => {
      handled.push(received.id);
    });
    await queue.enqueue(webhook('msg_1'));
    await eventually(() => handled.length === 1, 'the handler');
    await queue.close();
    assert.equal(db.open, true);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    await queue.close();
    db.close();
  }
});

function readRunAt(path: string): number | undefined {
  return inspect(
    path,
    (db) => (db.prepare('SELECT run_at FROM hookd_queue_jobs').get() as { run_at: number } | undefined)?.run_at,
  );
}

function isQueueError(code: string) {
  return (error: unknown) => error instanceof QueueError && error.code === code;
}
