import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { codeOf } from '../../test/schemes/code-of.js';
import { SCHEMES, type SchemeName } from '../schemes/index.js';
import { generateSecret } from '../secret.js';
import { signTestRequest } from './index.js';

const NAMES = Object.keys(SCHEMES) as SchemeName[];
const secret = generateSecret();
const payload = { data: { object: { id: 'pi_1', amount: 2000 } } };

/** The type each provider's request carries, as a receiver reads it back. */
function readBack(name: SchemeName, signed: { body: string; headers: Record<string, string> }) {
  const parsed: unknown = JSON.parse(signed.body);
  return { id: SCHEMES[name].deliveryId(signed.headers, parsed), type: SCHEMES[name].eventType(signed.headers, parsed) };
}

for (const name of NAMES) {
  test(`${name}: the request verifies and carries the id and type it was given`, () => {
    const signed = signTestRequest({ scheme: name, secret, payload, id: 'delivery-1', type: 'thing.happened' });
    assert.equal(signed.headers['content-type']?.startsWith('application/json'), true);
    assert.equal(
      codeOf(() => SCHEMES[name].verify({ body: signed.body, headers: signed.headers, secrets: secret })),
      undefined,
    );
    assert.deepEqual(readBack(name, signed), { id: 'delivery-1', type: 'thing.happened' });
    for (const [key, value] of Object.entries(signed.headers)) {
      assert.equal(key, key.toLowerCase());
      assert.doesNotMatch(value, /[\r\n]/);
    }
  });

  test(`${name}: without an id one is made up, and each request gets its own`, () => {
    const a = readBack(name, signTestRequest({ scheme: name, secret, payload }));
    const b = readBack(name, signTestRequest({ scheme: name, secret, payload }));
    assert.equal(typeof a.id, 'string');
    assert.notEqual(a.id, b.id);
  });
}

test("each provider's own id and type headers are there", () => {
  const github = signTestRequest({ scheme: 'github', secret, payload, id: 'g-1', type: 'push' }).headers;
  assert.equal(github['x-github-event'], 'push');
  assert.equal(github['x-github-delivery'], 'g-1');
  assert.match(github['x-hub-signature-256'] ?? '', /^sha256=[0-9a-f]{64}$/);
  const shopify = signTestRequest({ scheme: 'shopify', secret, payload, id: 's-1', type: 'orders/paid' }).headers;
  assert.equal(shopify['x-shopify-topic'], 'orders/paid');
  assert.equal(shopify['x-shopify-webhook-id'], 's-1');
  assert.ok(shopify['x-shopify-hmac-sha256']);
  const plain = signTestRequest({ scheme: 'hmac-sha256-hex', secret, payload, id: 'dlv_1', type: 'order.created' }).headers;
  assert.equal(plain['x-webhook-event'], 'order.created');
  assert.equal(plain['x-webhook-delivery'], 'dlv_1');
  assert.equal(plain['x-webhook-attempt'], '1');
  const standard = signTestRequest({ scheme: 'standard', secret, payload, id: 'msg_1', timestamp: 1_700_000_000 }).headers;
  assert.deepEqual([standard['webhook-id'], standard['webhook-timestamp']], ['msg_1', '1700000000']);
  const slack = signTestRequest({ scheme: 'slack', secret, payload, timestamp: 1_700_000_000 }).headers;
  assert.equal(slack['x-slack-request-timestamp'], '1700000000');
});

test('a Stripe payload gets an event id and type when it has none, and keeps its own otherwise', () => {
  const filled = JSON.parse(signTestRequest({ scheme: 'stripe', secret, payload }).body);
  assert.match(filled.id, /^evt_/);
  assert.equal(filled.type, 'payment_intent.succeeded');
  assert.equal(filled.object, 'event');
  assert.deepEqual(filled.data, payload.data);
  const own = JSON.parse(signTestRequest({ scheme: 'stripe', secret, payload: { id: 'evt_mine', type: 'invoice.paid' } }).body);
  assert.deepEqual([own.id, own.type], ['evt_mine', 'invoice.paid']);
});

test('a string payload is sent byte for byte, with the content type asked for', () => {
  const form = 'token=x&command=%2Fdeploy&text=prod';
  const signed = signTestRequest({
    scheme: 'slack',
    secret,
    payload: form,
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(signed.body, form);
  assert.equal(signed.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(
    codeOf(() => SCHEMES.slack.verify({ body: form, headers: signed.headers, secrets: secret })),
    undefined,
  );
});

test('the providers’ own libraries accept what signTestRequest builds', async () => {
  const stripeSigned = signTestRequest({ scheme: 'stripe', secret: 'whsec_stripe_test', payload, type: 'charge.refunded' });
  const event = new Stripe('sk_test_x').webhooks.constructEvent(
    stripeSigned.body,
    stripeSigned.headers['stripe-signature'] as string,
    'whsec_stripe_test',
  );
  assert.equal(event.type, 'charge.refunded');
  const github = signTestRequest({ scheme: 'github', secret: 'gh-secret', payload });
  assert.equal(await octokitVerify('gh-secret', github.body, github.headers['x-hub-signature-256'] as string), true);
  const standard = signTestRequest({ scheme: 'standard', secret, payload, type: 'invoice.paid' });
  assert.equal((new Webhook(secret).verify(standard.body, standard.headers) as { type: string }).type, 'invoice.paid');
});

test('rotation and a chosen timestamp: both secrets verify, and an old timestamp is refused', () => {
  const next = generateSecret();
  const signed = signTestRequest({ scheme: 'stripe', secrets: [secret, next], payload });
  for (const held of [secret, next]) {
    assert.equal(
      codeOf(() => SCHEMES.stripe.verify({ body: signed.body, headers: signed.headers, secrets: held })),
      undefined,
    );
  }
  const old = signTestRequest({ scheme: 'slack', secret, payload, timestamp: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(
    codeOf(() => SCHEMES.slack.verify({ body: old.body, headers: old.headers, secrets: secret })),
    'timestamp_too_old',
  );
});

test('sent over real HTTP with fetch, every request verifies at the other end from the raw bytes', async () => {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = request.url?.slice(1) as SchemeName;
      const code = codeOf(() => SCHEMES[name].verify({ body: Buffer.concat(chunks), headers: request.headers, secrets: secret }));
      response.writeHead(code === undefined ? 204 : 401, { 'x-code': code ?? 'ok' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    for (const name of NAMES) {
      const signed = signTestRequest({ scheme: name, secret, payload: { text: 'héllo ✓', n: 1 } });
      const sent = await fetch(`http://127.0.0.1:${port}/${name}`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(sent.headers.get('x-code'), 'ok', name);
      const tampered = await fetch(`http://127.0.0.1:${port}/${name}`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body.replace('1', '2'),
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(tampered.headers.get('x-code'), 'signature_invalid', name);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
