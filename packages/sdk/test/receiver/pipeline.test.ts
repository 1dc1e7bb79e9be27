/** The core pipeline through `receiver.handle`, with no server: routing, metrics, logs, idempotency, options. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { z } from 'zod';
import type { IdempotencyStore } from '../../src/idempotency/types.js';
import {
  createReceiver,
  type ReceiverAnswer,
  ReceiverConfigError,
  type ReceiverRequest,
  type WebhookEvent,
} from '../../src/receiver/index.js';
import { signSlack } from '../../src/schemes/slack.js';
import { generateSecret } from '../../src/secret.js';
import { recordingLogger, SECRET, type SignedRequest, signed, tampered } from './helpers.js';

function requestFor(
  request: SignedRequest,
  options: { method?: string; remoteAddress?: string; headers?: Record<string, string> } = {},
): ReceiverRequest {
  return {
    method: options.method ?? 'POST',
    headers: { ...request.headers, ...options.headers },
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    readBody: async () => Buffer.from(request.body),
  };
}

function json(answer: ReceiverAnswer): { received?: boolean; duplicate?: boolean; error?: { code: string; issues?: unknown } } {
  return JSON.parse(answer.body);
}

const verify = { scheme: 'standard', secrets: SECRET } as const;

describe('routing', () => {
  test('exact names, prefix.* and * all match; several handlers run in the order they were added', async () => {
    const receiver = createReceiver({ verify });
    const calls: string[] = [];
    receiver
      .on('payment.completed', () => void calls.push('exact'))
      .on('payment.*', () => void calls.push('prefix'))
      .on('*', () => void calls.push('all'))
      .on('payment.completed', () => void calls.push('exact again'))
      .on('order.*', () => void calls.push('wrong prefix'))
      .onUnhandled(() => void calls.push('unhandled'));
    await receiver.handle(requestFor(signed({ type: 'payment.completed', data: { n: 1 } })));
    assert.deepEqual(calls, ['exact', 'prefix', 'all', 'exact again']);
  });

  test('prefix.* matches at any depth but not the bare prefix nor a longer word', async () => {
    const receiver = createReceiver({ verify });
    const seen: string[] = [];
    const unhandled: (string | null)[] = [];
    receiver.on('payment.*', (event) => void seen.push(event.type)).onUnhandled((event) => void unhandled.push(event.type));
    for (const type of ['payment.refund.created', 'payment', 'payments.completed']) {
      await receiver.handle(requestFor(signed({ type, data: { n: 1 } })));
    }
    await receiver.handle(requestFor(signed({ data: { n: 1 } })));
    assert.deepEqual(seen, ['payment.refund.created']);
    assert.deepEqual(unhandled, ['payment', 'payments.completed', null]);
  });

  test('a pattern that is neither a type, prefix.* nor * is refused when added', () => {
    const receiver = createReceiver();
    for (const pattern of ['payment*', '*.created', '.*']) {
      assert.throws(() => receiver.on(pattern as 'x.*', () => {}), ReceiverConfigError, pattern);
    }
  });

  test('the payload map types each handler (checked by the compiler)', async () => {
    const receiver = createReceiver<{
      'payment.completed': { type: 'payment.completed'; data: { amount: number } };
      'payment.refunded': { type: 'payment.refunded'; data: { reason: string } };
      'order.created': { type: 'order.created'; data: { items: number } };
    }>({ verify });
    const amounts: number[] = [];
    receiver.on('payment.completed', (event) => {
      amounts.push(event.payload.data.amount);
      // @ts-expect-error reason belongs to payment.refunded
      void event.payload.data.reason;
    });
    receiver.on('payment.*', (event) => {
      // A wildcard gets the union of what it matches, narrowed by the type.
      if (event.type === 'payment.refunded') void event.payload.data.reason.toUpperCase();
      // @ts-expect-error order.created is not under payment.*
      if (event.type === 'order.created') return;
    });
    // @ts-expect-error not a type of the map
    receiver.on('invoice.paid', () => {});
    await receiver.handle(requestFor(signed({ type: 'payment.completed', data: { amount: 7 } })));
    assert.deepEqual(amounts, [7]);
  });

  test('the handler receives id, type, payload, lower-case headers, the raw body, receivedAt and attempt', async () => {
    const receiver = createReceiver({ verify, clock: () => Date.UTC(2026, 0, 1) });
    let event: WebhookEvent | undefined;
    receiver.on('*', (e) => {
      event = e;
    });
    const now = Math.floor(Date.UTC(2026, 0, 1) / 1000);
    const request = signed('{"type":"order.created",  "data":{"n":1}}', { id: 'msg_fields', timestamp: now });
    await receiver.handle(requestFor(request, { headers: { 'X-Custom': 'yes' } }));
    assert.deepEqual(event, {
      id: 'msg_fields',
      type: 'order.created',
      payload: { type: 'order.created', data: { n: 1 } },
      headers: { ...request.headers, 'x-custom': 'yes' },
      body: request.body,
      receivedAt: Date.UTC(2026, 0, 1),
      attempt: 1,
    });
  });

  test('other schemes route on their own headers (GitHub: X-GitHub-Event, X-GitHub-Delivery)', async () => {
    const secret = 'gh-secret';
    const receiver = createReceiver({ verify: { scheme: 'github', secrets: secret } });
    const seen: [string, string][] = [];
    receiver.on('push', (event) => void seen.push([event.type, event.id]));
    const request = signed({ ref: 'refs/heads/main', n: 1 }, { scheme: 'github', secret });
    const headers = { 'x-github-event': 'push', 'x-github-delivery': 'd-1' };
    assert.equal((await receiver.handle(requestFor(request, { headers }))).status, 200);
    assert.deepEqual(json(await receiver.handle(requestFor(request, { headers }))), { received: true, duplicate: true });
    assert.deepEqual(seen, [['push', 'd-1']]);
  });
});

describe('verification', () => {
  test('during a rotation, a request signed with either secret is accepted', async () => {
    const next = generateSecret();
    const receiver = createReceiver({ verify: { scheme: 'standard', secrets: [next, SECRET] } });
    for (const secret of [SECRET, next]) {
      assert.equal((await receiver.handle(requestFor(signed({ type: 't', n: 1 }, { secret })))).status, 200);
    }
    assert.equal((await receiver.handle(requestFor(signed({ type: 't', n: 1 }, { secret: generateSecret() })))).status, 401);
  });

  test('a stale timestamp is refused with its own code, judged by the injected clock', async () => {
    const signedAt = 1_800_000_000;
    const request = signed({ type: 't', n: 1 }, { timestamp: signedAt });
    const late = createReceiver({ verify, clock: () => (signedAt + 301) * 1000 });
    assert.equal(json(await late.handle(requestFor(request))).error?.code, 'timestamp_too_old');
    const lenient = createReceiver({ verify: { ...verify, toleranceSeconds: 600 }, clock: () => (signedAt + 301) * 1000 });
    assert.equal((await lenient.handle(requestFor(request))).status, 200);
  });

  test('a missing signature header is refused with header_missing', async () => {
    const receiver = createReceiver({ verify });
    const answer = await receiver.handle(requestFor({ body: '{"n":1}', headers: { 'content-type': 'application/json' } }));
    assert.equal(answer.status, 401);
    assert.equal(json(answer).error?.code, 'header_missing');
  });
});

describe('provider URL checks', () => {
  const slackSecret = '8f742231b10e8888abcd99yyyzzz85a5';
  const slackRequest = (body: string, secret = slackSecret): ReceiverRequest =>
    requestFor({ body, headers: signSlack({ body, secrets: secret, timestamp: Math.floor(Date.now() / 1000) }) });

  test('Slack’s signed url_verification gets its challenge back and reaches no handler', async () => {
    const receiver = createReceiver({ verify: { scheme: 'slack', secrets: slackSecret } });
    const handled: string[] = [];
    receiver.on('*', (event) => void handled.push(event.type ?? 'none')).onUnhandled(() => void handled.push('unhandled'));
    const body = JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const answer = await receiver.handle(slackRequest(body));
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    assert.deepEqual(handled, []);
    const forged = await receiver.handle(slackRequest(body, 'another-secret'));
    assert.equal(forged.status, 401, 'an unsigned check is refused like any request');
    const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } });
    assert.equal((await receiver.handle(slackRequest(event))).status, 200);
    assert.deepEqual(handled, ['app_mention'], 'events still go to handlers');
  });
});

describe('validation', () => {
  test('a Standard Schema output (defaults, transforms) is the payload the handler gets', async () => {
    const schema = z.object({ type: z.string(), data: z.object({ amount: z.number(), currency: z.string().default('EUR') }) });
    const receiver = createReceiver({ verify, schema });
    const payloads: unknown[] = [];
    receiver.on('*', (event) => void payloads.push(event.payload));
    await receiver.handle(requestFor(signed({ type: 'payment.completed', data: { amount: 5 } })));
    assert.deepEqual(payloads, [{ type: 'payment.completed', data: { amount: 5, currency: 'EUR' } }]);
  });

  test('an ajv validator plugs in as a function returning its errors', async () => {
    const validate = new Ajv().compile({
      type: 'object',
      required: ['type', 'data'],
      properties: { data: { type: 'object', properties: { amount: { type: 'number' } } } },
    });
    const receiver = createReceiver({ verify, schema: (payload) => (validate(payload) ? null : validate.errors) });
    let handled = 0;
    receiver.on('*', () => void handled++);
    const refused = await receiver.handle(requestFor(signed({ type: 't', data: { amount: 'five' } })));
    assert.equal(refused.status, 400);
    assert.deepEqual(json(refused).error?.issues, [{ path: ['data', 'amount'], message: 'must be number' }]);
    assert.equal((await receiver.handle(requestFor(signed({ type: 't', data: { amount: 5 } })))).status, 200);
    assert.equal(handled, 1);
  });
});

describe('idempotency', () => {
  test('without a scheme, the delivery id comes from the header the user names', async () => {
    const receiver = createReceiver({ idempotency: { header: 'Idempotency-Key' } });
    let handled = 0;
    receiver.on('*', () => void handled++);
    const request = { body: '{"type":"t"}', headers: { 'idempotency-key': 'k-1' } };
    await receiver.handle(requestFor(request));
    assert.deepEqual(json(await receiver.handle(requestFor(request))), { received: true, duplicate: true });
    assert.equal(handled, 1);
  });

  test('with no delivery id, or with idempotency off, every copy is handled', async () => {
    for (const options of [{}, { verify, idempotency: false as const }]) {
      const receiver = createReceiver(options);
      let handled = 0;
      receiver.on('*', () => void handled++);
      const request =
        'verify' in options ? signed({ type: 't', n: 1 }, { id: 'msg_same' }) : { body: '{"type":"t"}', headers: {} };
      await receiver.handle(requestFor(request));
      await receiver.handle(requestFor(request));
      assert.equal(handled, 2);
    }
  });

  test('a delivery id is remembered for the TTL only', async () => {
    let now = Date.UTC(2026, 0, 1);
    const receiver = createReceiver({ idempotency: { header: 'x-id', ttlMs: 60_000 }, clock: () => now });
    let handled = 0;
    receiver.on('*', () => void handled++);
    const request = { body: '{"type":"t"}', headers: { 'x-id': 'k-ttl' } };
    await receiver.handle(requestFor(request));
    now += 59_000;
    await receiver.handle(requestFor(request));
    now += 2_000;
    await receiver.handle(requestFor(request));
    assert.equal(handled, 2);
  });

  test('a failing store answers 503 so the sender retries; a failed release is logged', async () => {
    const logger = recordingLogger();
    const broken: IdempotencyStore = {
      claim: async () => {
        throw new Error('redis down');
      },
      release: async () => {},
    };
    const receiver = createReceiver({ verify, logger, idempotency: { store: broken } });
    const answer = await receiver.handle(requestFor(signed({ type: 't', n: 1 })));
    assert.equal(answer.status, 503);
    assert.equal(json(answer).error?.code, 'idempotency_unavailable');
    assert.equal(receiver.metrics.refused.unavailable, 1);

    const sticky: IdempotencyStore = {
      claim: async () => true,
      release: async () => {
        throw new Error('redis down');
      },
    };
    const failing = createReceiver({ verify, logger, idempotency: { store: sticky } });
    failing.on('*', () => {
      throw new Error('boom');
    });
    assert.equal((await failing.handle(requestFor(signed({ type: 't', n: 1 })))).status, 500);
    assert.ok(logger.lines.some((line) => line.level === 'error' && /could not release/.test(line.message)));
  });
});

describe('metrics and logs', () => {
  test('metrics count what happened, refusal by refusal', async () => {
    const logger = recordingLogger();
    const receiver = createReceiver({
      verify,
      logger,
      allowIps: ['127.0.0.1'],
      schema: z.object({ type: z.string() }),
      rateLimit: { perSecond: 1, burst: 100 },
    });
    let calls = 0;
    receiver.on('*', () => {
      calls++;
      if (calls === 2) throw new Error('flaky');
    });
    const ok = signed({ type: 'a', n: 1 }, { id: 'msg_m1' });
    await receiver.handle(requestFor(ok)); // processed
    await receiver.handle(requestFor(ok)); // duplicate
    await receiver.handle(requestFor(signed({ type: 'b', n: 2 }))); // failed
    await receiver.handle(requestFor(tampered(signed({ type: 'c', n: 3 })))); // signature
    await receiver.handle(requestFor(signed('nope'))); // invalid_json
    await receiver.handle(requestFor(signed({ type: 4 }))); // validation
    await receiver.handle(requestFor(ok, { remoteAddress: '192.0.2.1' })); // ip
    await receiver.handle(requestFor(ok, { method: 'PUT' })); // method
    assert.deepEqual(receiver.metrics, {
      received: 8,
      processed: 1,
      failed: 1,
      duplicates: 1,
      refused: {
        method: 1,
        ip: 1,
        rate_limit: 0,
        payload_too_large: 0,
        body_unreadable: 0,
        raw_body_unavailable: 0,
        signature: 1,
        body_not_text: 0,
        invalid_json: 1,
        validation: 1,
        in_progress: 0,
        unavailable: 0,
        internal: 0,
      },
    });
    const refusals = logger.lines.filter((line) => line.message.startsWith('webhook refused')).map((line) => line.details.code);
    assert.deepEqual(refusals, [
      'handler_failed',
      'signature_invalid',
      'invalid_json',
      'validation_failed',
      'ip_not_allowed',
      'method_not_allowed',
    ]);
    assert.equal(logger.lines.find((line) => line.details.code === 'ip_not_allowed')?.details.ip, '192.0.2.1');
  });

  test('every refusal answers {"error":{"code","message"}} as JSON', async () => {
    const receiver = createReceiver({ verify });
    const answer = await receiver.handle(requestFor(tampered(signed({ type: 't', n: 1 }))));
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(body.error), ['code', 'message']);
    assert.equal(typeof body.error.message, 'string');
  });

  test('a reader that fails (client gone) is 400 body_unreadable, not a crash', async () => {
    const receiver = createReceiver();
    const answer = await receiver.handle({
      method: 'POST',
      headers: {},
      remoteAddress: '127.0.0.1',
      readBody: async () => {
        throw new Error('aborted');
      },
    });
    assert.equal(answer.status, 400);
    assert.equal(json(answer).error?.code, 'body_unreadable');
  });
});

describe('options', () => {
  test('mistakes in the options are refused at creation with a code', () => {
    const cases: [Parameters<typeof createReceiver>[0], string][] = [
      [{ allowIps: ['10.0.0.0/33'] }, 'allow_ips_invalid'],
      [{ allowIps: ['not-an-ip'] }, 'allow_ips_invalid'],
      [{ trustProxy: ['10.0.0.0/8', 'proxy.local'] }, 'trust_proxy_invalid'],
      [{ trustProxy: -1 }, 'trust_proxy_invalid'],
      [{ rateLimit: { perSecond: 0, burst: 1 } }, 'rate_limit_invalid'],
      [{ verify: { scheme: 'nope' as 'standard', secrets: SECRET } }, 'verify_invalid'],
      [{ verify: { scheme: 'standard', secrets: [] } }, 'verify_invalid'],
      [{ verify: { scheme: 'standard', secrets: 'whsec_' } }, 'verify_invalid'],
      [{ mode: 'queue' }, 'queue_not_configured'],
      [{ maxBodyBytes: 0 }, 'option_invalid'],
    ];
    for (const [options, code] of cases) {
      assert.throws(
        () => createReceiver(options),
        (error: unknown) => error instanceof ReceiverConfigError && error.code === code,
        JSON.stringify(options),
      );
    }
  });

  test('without a queue, the queue calls say so and start/close do nothing', async () => {
    const receiver = createReceiver();
    assert.equal(receiver.mode, 'inline');
    await receiver.start();
    await assert.rejects(
      receiver.deadLetters(),
      (error: unknown) => (error as ReceiverConfigError).code === 'queue_not_configured',
    );
    await receiver.close();
  });
});
