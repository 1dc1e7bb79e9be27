import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { shopifyScheme, signShopify, verifyShopify } from './shopify.js';

const secret = 'shpss_0123456789abcdef0123456789abcdef';
const body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"199.65"}';

// Shopify's recipe: base64 of the HMAC-SHA256 of the raw body, keyed with the app's client secret.
const worked = createHmac('sha256', secret).update(body, 'utf8').digest('base64');

test("the signature is Shopify's: base64 of the body HMAC keyed with the client secret", () => {
  assert.equal(signShopify(body, secret), worked);
  assert.equal(
    codeOf(() => verifyShopify({ body, headers: { 'X-Shopify-Hmac-Sha256': worked }, secrets: secret })),
    undefined,
  );
});

test('the encoding matters: the same HMAC in hex fails', () => {
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  assert.equal(
    codeOf(() => verifyShopify({ body, headers: { 'x-shopify-hmac-sha256': hex }, secrets: secret })),
    'signature_invalid',
  );
});

test('the delivery id is X-Shopify-Webhook-Id, else X-Shopify-Event-Id; the type is X-Shopify-Topic', () => {
  const headers = { 'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'X-Shopify-Topic': 'orders/create' };
  assert.equal(shopifyScheme.deliveryId(headers, {}), 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
  assert.equal(shopifyScheme.deliveryId({ 'x-shopify-event-id': 'e-1' }, {}), 'e-1');
  assert.equal(shopifyScheme.deliveryId({}, {}), null);
  assert.equal(shopifyScheme.eventType(headers, {}), 'orders/create');
});
