/**
 * The behaviour every adapter must show over real HTTP on loopback. Each adapter's test file calls
 * `adapterContract` with a function that mounts a receiver in its framework and returns the webhook URL.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import * as v from 'valibot';
import { z } from 'zod';
import { createReceiver, type Receiver, type ReceiverOptions, type WebhookEvent } from '../../src/receiver/index.js';
import { post, type Running, SECRET, signed, tampered } from './helpers.js';

export type Mount = (receiver: Receiver) => Promise<Running>;

const payment = { type: 'payment.completed', data: { amount: 42 } };

export function adapterContract(name: string, mount: Mount): void {
  describe(`${name} adapter`, () => {
    async function start(options: ReceiverOptions = {}) {
      const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET }, ...options });
      const seen: WebhookEvent[] = [];
      receiver.on('*', (event) => {
        seen.push(event);
      });
      const running = await mount(receiver);
      return { receiver, seen, url: running.url, close: () => running.close().then(() => receiver.close()) };
    }

    test('a signed request is handled with its id, type, payload, raw body and headers', async (t) => {
      const { url, seen, close } = await start();
      t.after(close);
      const request = signed(payment, { id: 'msg_signed' });
      const reply = await post(url, request);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { received: true });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.id, 'msg_signed');
      assert.equal(seen[0]?.type, 'payment.completed');
      assert.deepEqual(seen[0]?.payload, payment);
      assert.equal(seen[0]?.body, request.body);
      assert.equal(seen[0]?.headers['webhook-id'], 'msg_signed');
      assert.equal(seen[0]?.attempt, 1);
    });

    test('a tampered body is refused with 401 signature_invalid and reaches no handler', async (t) => {
      const { url, seen, receiver, close } = await start();
      t.after(close);
      const reply = await post(url, tampered(signed(payment)));
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error?.code, 'signature_invalid');
      assert.equal(seen.length, 0);
      assert.equal(receiver.metrics.refused.signature, 1);
    });

    test('a signed body that is not JSON is refused with 400 invalid_json', async (t) => {
      const { url, seen, close } = await start();
      t.after(close);
      const reply = await post(url, signed('amount=42'));
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error?.code, 'invalid_json');
      assert.equal(seen.length, 0);
    });

    test('zod and valibot schemas refuse a wrong payload with 400 and its issues', async (t) => {
      const schemas = {
        zod: z.object({ type: z.string(), data: z.object({ amount: z.number() }) }),
        valibot: v.object({ type: v.string(), data: v.object({ amount: v.number() }) }),
      };
      for (const [library, schema] of Object.entries(schemas)) {
        const { url, seen, close } = await start({ schema });
        t.after(close);
        const reply = await post(url, signed({ type: 'payment.completed', data: { amount: '42' } }));
        assert.equal(reply.status, 400, library);
        assert.equal(reply.json.error?.code, 'validation_failed', library);
        const issues = reply.json.error?.issues as { path: unknown[] }[];
        assert.deepEqual(issues[0]?.path, ['data', 'amount'], library);
        assert.equal((await post(url, signed(payment))).status, 200, library);
        assert.equal(seen.length, 1, library);
      }
    });

    test('the same delivery id twice: the second is acknowledged as a duplicate and handled once', async (t) => {
      const { url, seen, receiver, close } = await start();
      t.after(close);
      const request = signed(payment, { id: 'msg_twice' });
      assert.deepEqual((await post(url, request)).json, { received: true });
      const again = await post(url, signed(payment, { id: 'msg_twice' }));
      assert.equal(again.status, 200);
      assert.deepEqual(again.json, { received: true, duplicate: true });
      assert.equal(seen.length, 1);
      assert.equal(receiver.metrics.duplicates, 1);
    });

    test('20 concurrent copies of one delivery are handled exactly once', async (t) => {
      const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
      let calls = 0;
      receiver.on('payment.completed', async () => {
        calls++;
        await delay(30);
      });
      const running = await mount(receiver);
      t.after(() => running.close());
      const request = signed(payment, { id: 'msg_burst' });
      const replies = await Promise.all(Array.from({ length: 20 }, () => post(running.url, request)));
      assert.equal(calls, 1);
      const handled = replies.filter((reply) => reply.status === 200 && reply.json.duplicate !== true);
      assert.equal(handled.length, 1);
      // The others were either told to retry (the first copy was still running) or answered as duplicates.
      for (const reply of replies) assert.ok(reply.status === 200 || reply.status === 409, `status ${reply.status}`);
    });

    test('a body over maxBodyBytes is refused with 413 payload_too_large', async (t) => {
      const { url, seen, close } = await start({ maxBodyBytes: 1024 });
      t.after(close);
      const reply = await post(url, signed({ ...payment, padding: 'x'.repeat(4096) }));
      assert.equal(reply.status, 413);
      assert.equal(reply.json.error?.code, 'payload_too_large');
      assert.equal(seen.length, 0);
    });

    test('outside the allowlist is 403; X-Forwarded-For counts only behind a trusted proxy', async (t) => {
      const strict = await start({ allowIps: ['10.0.0.0/8'] });
      t.after(strict.close);
      const forged = await post(strict.url, signed(payment), { 'x-forwarded-for': '10.1.2.3' });
      assert.equal(forged.status, 403);
      assert.equal(forged.json.error?.code, 'ip_not_allowed');
      assert.equal(strict.seen.length, 0);

      const proxied = await start({ allowIps: ['10.0.0.0/8'], trustProxy: ['127.0.0.1', '::1'] });
      t.after(proxied.close);
      assert.equal((await post(proxied.url, signed(payment), { 'x-forwarded-for': '10.1.2.3' })).status, 200);
      assert.equal((await post(proxied.url, signed(payment), { 'x-forwarded-for': '192.0.2.7' })).status, 403);
      assert.equal(proxied.seen.length, 1);
    });

    test('past the burst a source gets 429 with Retry-After', async (t) => {
      const { url, seen, close } = await start({ rateLimit: { perSecond: 0.5, burst: 2 } });
      t.after(close);
      assert.equal((await post(url, signed(payment))).status, 200);
      assert.equal((await post(url, signed(payment))).status, 200);
      const limited = await post(url, signed(payment));
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error?.code, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '2');
      assert.equal(seen.length, 2);
    });

    test('a handler that throws gives 500, and the sender retry is handled', async (t) => {
      const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
      let calls = 0;
      receiver.on('payment.completed', () => {
        calls++;
        if (calls === 1) throw new Error('database down');
      });
      const running = await mount(receiver);
      t.after(() => running.close());
      const first = await post(running.url, signed(payment, { id: 'msg_retry' }));
      assert.equal(first.status, 500);
      assert.equal(first.json.error?.code, 'handler_failed');
      assert.doesNotMatch(first.json.error?.message ?? '', /database down/, 'handler errors stay private');
      const retry = await post(running.url, signed(payment, { id: 'msg_retry' }));
      assert.deepEqual(retry.json, { received: true });
      assert.equal(calls, 2);
      assert.equal(receiver.metrics.failed, 1);
      assert.equal(receiver.metrics.processed, 1);
    });

    test('a GET is refused with 405', async (t) => {
      const { url, close } = await start();
      t.after(close);
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      assert.equal(response.status, 405);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
    });
  });
}
