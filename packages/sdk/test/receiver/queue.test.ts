/** Queue mode on the real SQLite queue: answer once durable, handle from the queue, retry, dead-letter, replay. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { z } from 'zod';
import { memoryIdempotencyStore } from '../../src/idempotency/memory.js';
import { createSqliteQueue, whenQueueIdle } from '../../src/queue/sqlite.js';
import { createReceiver, type ReceiverOptions, toFetchHandler, toNodeHandler } from '../../src/receiver/index.js';
import { eventually, gate, listen, post, recordingLogger, SECRET, type SignedRequest, signed } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hookd-receiver-queue-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const dbPath = () => join(dir, `${files++}.db`);

const verify = { scheme: 'standard', secrets: SECRET } as const;
const fastQueue = { pollIntervalMs: 10, backoff: () => 10, maxAttempts: 2 };
const payment = { type: 'payment.completed', data: { amount: 42 } };

function queued(options: ReceiverOptions = {}) {
  const receiver = createReceiver({ verify, queue: { path: dbPath(), ...fastQueue }, ...options });
  after(() => receiver.close());
  const handle = toFetchHandler(receiver);
  const send = async (request: SignedRequest) => {
    const response = await handle(
      new Request('http://receiver.test/', { method: 'POST', headers: request.headers, body: request.body }),
    );
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return { receiver, send };
}

test('queue mode answers 200 once the webhook is enqueued, before the handler finishes', async (t) => {
  const receiver = createReceiver({ verify, queue: { path: dbPath(), ...fastQueue } });
  assert.equal(receiver.mode, 'queue');
  const release = gate();
  let started = false;
  let finished = false;
  receiver.on('payment.completed', async () => {
    started = true;
    await release.promise;
    finished = true;
  });
  await receiver.start();
  const running = await listen(createServer(toNodeHandler(receiver)));
  t.after(async () => {
    release.open();
    await running.close();
    await receiver.close();
  });

  const reply = await post(running.url, signed(payment));
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json, { received: true });
  assert.equal(finished, false, 'answered while the handler had not finished');
  await eventually(() => started);
  assert.equal(receiver.metrics.processed, 0);
  release.open();
  await eventually(() => receiver.metrics.processed === 1);
  assert.equal(finished, true);
});

test('a handler that keeps throwing is retried with its attempt number, then dead-lettered, and replay runs it again', async () => {
  const { receiver, send } = queued();
  const attempts: number[] = [];
  let healthy = false;
  receiver.on('payment.completed', (event) => {
    attempts.push(event.attempt);
    if (!healthy) throw new Error(`downstream refused attempt ${event.attempt}`);
  });
  await receiver.start();
  assert.equal((await send(signed(payment, { id: 'msg_doomed' }))).status, 200);

  await eventually(async () => (await receiver.deadLetters()).length === 1);
  const letters = await receiver.deadLetters();
  assert.deepEqual(attempts, [1, 2]);
  assert.equal(letters.length, 1);
  assert.equal(letters[0]?.webhook.id, 'msg_doomed');
  assert.equal(letters[0]?.attempts, 2);
  assert.match(letters[0]?.lastError ?? '', /downstream refused attempt 2/);
  assert.equal(receiver.metrics.failed, 2);

  healthy = true;
  assert.equal(await receiver.replay(), 1);
  await eventually(() => receiver.metrics.processed === 1);
  assert.deepEqual(await receiver.deadLetters(), []);
});

test('queue mode de-duplicates before enqueueing: the same delivery is queued and handled once', async () => {
  const queue = createSqliteQueue({ path: dbPath(), ...fastQueue });
  after(() => queue.close());
  const { receiver, send } = queued({ queue });
  const ids: string[] = [];
  receiver.on('*', (event) => void ids.push(event.id));
  await receiver.start();
  assert.deepEqual((await send(signed(payment, { id: 'msg_q_dup' }))).json, { received: true });
  assert.deepEqual((await send(signed(payment, { id: 'msg_q_dup' }))).json, { received: true, duplicate: true });
  await eventually(() => ids.length === 1);
  await whenQueueIdle(queue); // nothing else was queued
  assert.deepEqual(ids, ['msg_q_dup']);
});

test('from the queue, the handler gets the schema output and the type it was routed on', async () => {
  const schema = z.object({ type: z.string(), data: z.object({ amount: z.number(), currency: z.string().default('EUR') }) });
  const { receiver, send } = queued({ schema });
  const payloads: unknown[] = [];
  receiver.on('payment.*', (event) => void payloads.push(event.payload));
  await receiver.start();
  assert.equal((await send(signed(payment))).status, 200);
  await eventually(() => payloads.length === 1);
  assert.deepEqual(payloads, [{ type: 'payment.completed', data: { amount: 42, currency: 'EUR' } }]);
});

test('a queue that cannot store answers 503 and frees the delivery id for the retry', async () => {
  const queue = createSqliteQueue({ path: dbPath() });
  await queue.close();
  const store = memoryIdempotencyStore();
  const receiver = createReceiver({ verify, queue, idempotency: { store } });
  const reply = await toFetchHandler(receiver)(
    new Request('http://receiver.test/', { method: 'POST', ...signed(payment, { id: 'msg_unstored' }) }),
  );
  assert.equal(reply.status, 503);
  assert.equal(((await reply.json()) as { error: { code: string } }).error.code, 'enqueue_failed');
  assert.equal(receiver.metrics.refused.unavailable, 1);
  assert.equal(await store.claim('msg_unstored', 1000), true, 'the id was released');
});

test('a queue passed in is stopped by close() but left open for its owner; one built from { path } is closed', async () => {
  const queue = createSqliteQueue({ path: dbPath(), pollIntervalMs: 10 });
  after(() => queue.close());
  const receiver = createReceiver({ verify, queue });
  let handled = 0;
  receiver.on('*', () => void handled++);
  await receiver.start();
  await receiver.close();
  await queue.enqueue({ id: 'after', type: null, body: '{}', headers: {}, receivedAt: 0 });
  // Its owner can start it again (start() refuses a running queue), and finds the webhook still there.
  const seen: string[] = [];
  queue.start(async (webhook) => void seen.push(webhook.id));
  await eventually(() => seen.length === 1);
  assert.deepEqual(seen, ['after']);
  assert.equal(handled, 0, 'the receiver stopped handling');
  assert.equal((await queue.listDeadLetters()).length, 0, 'the queue is still open');

  const { receiver: owner } = queued();
  await owner.start();
  await owner.close();
  await assert.rejects(owner.deadLetters(), (error: unknown) => (error as { code?: string }).code === 'queue_closed');
});

test('webhooks queued before start() are kept, a warning says nothing handles them yet, and start() handles them', async () => {
  const logger = recordingLogger();
  const { receiver, send } = queued({ logger });
  let handled = 0;
  receiver.on('*', () => void handled++);
  assert.equal((await send(signed(payment))).status, 200);
  assert.ok(logger.lines.some((line) => line.level === 'warn' && /start\(\) was not called/.test(line.message)));
  await receiver.start();
  await eventually(() => handled === 1);
});
