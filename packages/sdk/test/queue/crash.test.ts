/**
 * kill -9 against the queue: an acknowledged enqueue survives the process, and a job whose handler's process died
 * is taken again once its lease runs out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSqliteQueue } from '../../src/queue/sqlite.js';
import { runFixture } from './child.js';
import { eventually, inspect, tempDir } from './helpers.js';

const files = tempDir();

test('no webhook whose enqueue resolved is lost when the process is killed mid-stream', { timeout: 60_000 }, async (t) => {
  const path = files.file('crash.db');
  const child = runFixture('enqueue-child.ts', [path, '100000']);
  t.after(() => child.killHard());
  await eventually(() => child.lines.length >= 300, 'the child to acknowledge 300 enqueues', 30_000);
  await child.killHard();
  const acknowledged = child.lines.filter((line) => line.startsWith('msg_'));
  assert.ok(!child.lines.includes('done'), 'the child was killed before it finished');
  assert.ok(acknowledged.length >= 300);

  const queue = createSqliteQueue({ path, concurrency: 8, pollIntervalMs: 10 });
  const handled = new Set<string>();
  try {
    queue.start(async (webhook) => {
      assert.equal(webhook.body, `{"n":"${webhook.id}"}`);
      handled.add(webhook.id);
    });
    await eventually(() => acknowledged.every((id) => handled.has(id)), 'every acknowledged webhook to be handled', 30_000);
  } finally {
    await queue.close();
  }
});

test('a job leased by a killed process is handled after its lease expires, as its next attempt', {
  timeout: 30_000,
}, async (t) => {
  const path = files.file('lease.db');
  const child = runFixture('lease-child.ts', [path, '400', '8']);
  t.after(() => child.killHard());
  await eventually(() => child.lines.includes('handling msg_leased 1'), 'the child to take the job', 20_000);
  await child.killHard();
  const leaseEnd = readRunAt(path);
  assert.ok(leaseEnd !== undefined && leaseEnd > Date.now() - 1_000, 'the job is still leased to the dead process');

  const queue = createSqliteQueue({ path, pollIntervalMs: 10 });
  const calls: { id: string; attempt: number; at: number }[] = [];
  try {
    queue.start(async (webhook, { attempt }) => {
      calls.push({ id: webhook.id, attempt, at: Date.now() });
    });
    await eventually(() => calls.length === 1, 'the job to be taken again', 10_000);
    const [call] = calls;
    assert.equal(call!.id, 'msg_leased');
    assert.equal(call!.attempt, 2, 'the attempt in the dead process counts');
    assert.ok(call!.at >= leaseEnd!, `taken at ${call!.at}, before the lease ended at ${leaseEnd}`);
  } finally {
    await queue.close();
  }
});

test('a job whose last attempt died with its process is dead-lettered when the lease expires', { timeout: 30_000 }, async (t) => {
  const path = files.file('lease-last.db');
  const child = runFixture('lease-child.ts', [path, '200', '1']);
  t.after(() => child.killHard());
  await eventually(() => child.lines.includes('handling msg_leased 1'), 'the child to take the job', 20_000);
  await child.killHard();

  const queue = createSqliteQueue({ path, maxAttempts: 1, pollIntervalMs: 10 });
  let called = false;
  try {
    queue.start(async () => {
      called = true;
    });
    let dead = await queue.listDeadLetters();
    await eventually(
      async () => {
        dead = await queue.listDeadLetters();
        return dead.length > 0;
      },
      'the dead letter',
      10_000,
    );
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.webhook.id, 'msg_leased');
    assert.equal(dead[0]!.attempts, 1);
    assert.match(dead[0]!.lastError, /lease of the last attempt expired/);
    assert.equal(called, false, 'a job out of attempts is not run again');
  } finally {
    await queue.close();
  }
});

function readRunAt(path: string): number | undefined {
  return inspect(
    path,
    (db) => (db.prepare('SELECT run_at FROM hookd_queue_jobs').get() as { run_at: number } | undefined)?.run_at,
  );
}
