/** Interop with Stripe's own Node library: its test headers verify with hookd, and hookd's pass constructEvent. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { signStripe, verifyStripe } from '../../src/schemes/stripe.js';
import { codeOf } from './code-of.js';

const stripe = new Stripe('sk_test_x');
const secret = 'whsec_5f7b2c0c1d9e4a8b6f3e2d1c0b9a8f7e';
const payload = JSON.stringify({ id: 'evt_test_1', object: 'event', type: 'payment_intent.succeeded', data: { object: {} } });
const nowSeconds = () => Math.floor(Date.now() / 1000);

test("the Stripe library's test header verifies with hookd", () => {
  const now = nowSeconds();
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now });
  assert.deepEqual(verifyStripe({ body: payload, headers: { 'stripe-signature': header }, secrets: secret }), { timestamp: now });
  assert.equal(
    codeOf(() => verifyStripe({ body: `${payload} `, headers: { 'stripe-signature': header }, secrets: secret })),
    'signature_invalid',
  );
  const old = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now - 600 });
  assert.equal(
    codeOf(() => verifyStripe({ body: payload, headers: { 'stripe-signature': old }, secrets: secret })),
    'timestamp_too_old',
  );
});

test("hookd's Stripe-Signature passes stripe.webhooks.constructEvent, bytes or string", () => {
  const header = signStripe({ body: payload, secrets: secret, timestamp: nowSeconds() });
  assert.equal(stripe.webhooks.constructEvent(payload, header, secret).id, 'evt_test_1');
  assert.equal(stripe.webhooks.constructEvent(Buffer.from(payload), header, secret).type, 'payment_intent.succeeded');
  assert.throws(() => stripe.webhooks.constructEvent(`${payload} `, header, secret));
  assert.throws(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other'));
});

test('rotation: a header with two v1 signatures passes constructEvent with either secret', () => {
  const next = 'whsec_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
  const header = signStripe({ body: payload, secrets: [secret, next], timestamp: nowSeconds() });
  assert.equal(header.split(',').filter((part) => part.startsWith('v1=')).length, 2);
  for (const held of [secret, next]) assert.equal(stripe.webhooks.constructEvent(payload, header, held).id, 'evt_test_1');
});
