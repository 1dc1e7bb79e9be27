/** Stripe events as Stripe sends them (API version 2024-06-20), signed with `Stripe-Signature: t=…,v1=…`. */
import { randomUUID } from 'node:crypto';
import { randomId, type Sample, type SampleFacts } from './types.js';

function event(type: string, object: Record<string, unknown>, { id, now }: SampleFacts): Record<string, unknown> {
  return {
    id,
    object: 'event',
    api_version: '2024-06-20',
    created: now,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: randomId('req_', 14), idempotency_key: randomUUID() },
    type,
  };
}

function paymentIntent(now: number, status: string): Record<string, unknown> {
  const id = randomId('pi_', 24);
  const succeeded = status === 'succeeded';
  return {
    id,
    object: 'payment_intent',
    amount: 2000,
    amount_capturable: 0,
    amount_received: succeeded ? 2000 : 0,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomId('', 25)}`,
    confirmation_method: 'automatic',
    created: now,
    currency: 'usd',
    customer: randomId('cus_', 14),
    description: 'hookd trigger sample',
    last_payment_error: succeeded
      ? null
      : { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', type: 'card_error' },
    latest_charge: randomId('ch_', 24),
    livemode: false,
    metadata: { order_id: '6735' },
    payment_method: randomId('pm_', 24),
    payment_method_types: ['card'],
    receipt_email: 'jenny.rosen@example.com',
    status: succeeded ? 'succeeded' : 'requires_payment_method',
  };
}

const newId = () => randomId('evt_', 24);

export const STRIPE_SAMPLES: readonly Sample[] = [
  {
    event: 'payment_intent.succeeded',
    provider: 'stripe',
    description: 'a card payment of $20.00 went through',
    newId,
    payload: (facts) => event('payment_intent.succeeded', paymentIntent(facts.now, 'succeeded'), facts),
  },
  {
    event: 'payment_intent.payment_failed',
    provider: 'stripe',
    description: 'a card payment was declined',
    newId,
    payload: (facts) => event('payment_intent.payment_failed', paymentIntent(facts.now, 'failed'), facts),
  },
  {
    event: 'checkout.session.completed',
    provider: 'stripe',
    description: 'a Checkout session was paid',
    newId,
    payload: (facts) =>
      event(
        'checkout.session.completed',
        {
          id: randomId('cs_test_', 58),
          object: 'checkout.session',
          amount_subtotal: 2000,
          amount_total: 2000,
          client_reference_id: 'order_6735',
          created: facts.now - 60,
          currency: 'usd',
          customer: randomId('cus_', 14),
          customer_details: { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' },
          expires_at: facts.now + 86_400,
          livemode: false,
          metadata: {},
          mode: 'payment',
          payment_intent: randomId('pi_', 24),
          payment_status: 'paid',
          status: 'complete',
          success_url: 'https://example.com/success',
        },
        facts,
      ),
  },
];
