/** createReceiverCore: the pipeline with a caller's hand-off, a rate counting verified requests only, and text bodies. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createReceiverCore,
  type IncomingWebhook,
  type ReceiverCoreOptions,
  type ReceiverRequest,
} from '../../src/receiver/index.js';
import { SECRET, type SignedRequest, signed } from './helpers.js';

const verify = { scheme: 'standard', secrets: SECRET } as const;

function requestFor(request: SignedRequest | { body: Uint8Array | string; headers: Record<string, string> }): ReceiverRequest {
  return {
    method: 'POST',
    headers: request.headers,
    remoteAddress: '127.0.0.1',
    readBody: async () => Buffer.from(request.body),
  };
}

/** A core whose hand-off keeps webhooks in a list and de-duplicates on the delivery id, as a database would. */
function core(options: Partial<ReceiverCoreOptions> = {}) {
  const kept: IncomingWebhook[] = [];
  const refusals: [string, string][] = [];
  const receiver = createReceiverCore({
    async handOff(webhook) {
      const first = kept.findIndex((k) => k.deliveryId !== null && k.deliveryId === webhook.deliveryId);
      if (first >= 0) return { id: `kept_${first}`, duplicate: true };
      kept.push(webhook);
      return { id: `kept_${kept.length - 1}`, duplicate: false };
    },
    onRefusal: (code, message) => void refusals.push([code, message]),
    clock: () => 1_700_000_000_000,
    ...options,
  });
  return { receiver, kept, refusals };
}

test('the hand-off says where it kept the webhook and whether it was a duplicate', async () => {
  const { receiver, kept } = core({ verify });
  const request = signed({ type: 'order.created', n: 1 }, { id: 'msg_1', timestamp: 1_700_000_000 });
  assert.deepEqual(await receiver.handle(requestFor(request)), { accepted: true, id: 'kept_0', duplicate: false });
  assert.deepEqual(await receiver.handle(requestFor(request)), { accepted: true, id: 'kept_0', duplicate: true });
  assert.equal(kept.length, 1);
  assert.equal(kept[0]?.deliveryId, 'msg_1');
  assert.equal(kept[0]?.type, 'order.created');
  assert.deepEqual(kept[0]?.payload, { type: 'order.created', n: 1 });
});

test('a hand-off that throws is 503 enqueue_failed, so the sender retries', async () => {
  const { receiver, refusals } = core({
    handOff: async () => {
      throw new Error('the database is down');
    },
  });
  const outcome = await receiver.handle(requestFor(signed({ type: 'a' })));
  assert.ok(!outcome.accepted);
  assert.equal(outcome.code, 'enqueue_failed');
  assert.equal(outcome.status, 503);
  assert.deepEqual(
    refusals.map(([code]) => code),
    ['enqueue_failed'],
  );
});

test('with counts "verified", forgeries spend a bucket of their own: signed webhooks still pass, then the rate applies', async () => {
  const { receiver, refusals } = core({ verify, rateLimit: { perSecond: 1, burst: 2, counts: 'verified' } });
  const forged = { body: '{"type":"a"}', headers: { 'content-type': 'application/json' } };
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const outcome = await receiver.handle(requestFor(forged));
    assert.ok(!outcome.accepted);
    codes.push(outcome.code);
    if (outcome.code === 'rate_limited') assert.equal(outcome.headers['retry-after'], '1');
  }
  assert.deepEqual(codes, ['header_missing', 'header_missing', 'rate_limited']);
  for (const [code, message] of refusals) assert.ok(!message.includes(code), `${code}: ${message}`);

  const good = (n: number) => requestFor(signed({ type: 'a', n }, { id: `msg_${n}`, timestamp: 1_700_000_000 }));
  assert.equal((await receiver.handle(good(1))).accepted, true);
  assert.equal((await receiver.handle(good(2))).accepted, true);
  const limited = await receiver.handle(good(3));
  assert.ok(!limited.accepted);
  assert.equal(limited.code, 'rate_limited');
  await receiver.close();
});

test('a text body: form data is taken without a schema; not UTF-8, a NUL, or not JSON under a schema is refused', async () => {
  const form = { body: 'token=x&command=%2Fdeploy', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  const text = core({ body: 'text' });
  const taken = await text.receiver.handle(requestFor(form));
  assert.equal(taken.accepted, true);
  assert.equal(text.kept[0]?.body, form.body);
  assert.equal(text.kept[0]?.payload, undefined);

  const binary = await text.receiver.handle(requestFor({ body: Uint8Array.from([0x7b, 0xff, 0x7d]), headers: {} }));
  const nul = await text.receiver.handle(requestFor({ body: '{"a":"\u0000"}', headers: {} }));
  for (const outcome of [binary, nul]) {
    assert.ok(!outcome.accepted);
    assert.equal(outcome.code, 'body_not_text');
    assert.equal(outcome.status, 400);
  }

  const schema = (payload: unknown) => (typeof payload === 'object' ? null : ['must be an object']);
  const withSchema = core({ body: 'text', schema });
  const refused = await withSchema.receiver.handle(requestFor(form));
  assert.ok(!refused.accepted);
  assert.equal(refused.code, 'invalid_json');

  // The default stays JSON only.
  const json = await core().receiver.handle(requestFor(form));
  assert.ok(!json.accepted);
  assert.equal(json.code, 'invalid_json');
});
