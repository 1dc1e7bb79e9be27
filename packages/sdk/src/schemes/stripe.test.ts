import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { signStripe, stripeScheme, verifyStripe } from './stripe.js';

const secret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';
const now = 1_767_225_600;
const body = '{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid","data":{"object":{}}}';
const hmacHex = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');

test('Stripe-Signature is t= then v1= the hex HMAC of "t.body" keyed with the whole whsec_ string', () => {
  assert.equal(signStripe({ body, secrets: secret, timestamp: now }), `t=${now},v1=${hmacHex(secret, `${now}.${body}`)}`);
});

test('the secret is not base64-decoded: a signature made with the decoded key fails', () => {
  const decoded = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const header = `t=${now},v1=${hmacHex(decoded, `${now}.${body}`)}`;
  assert.equal(
    codeOf(() => verifyStripe({ body, headers: { 'stripe-signature': header }, secrets: secret, now })),
    'signature_invalid',
  );
});

test('several v1 entries, in any order, and v0 or unknown entries beside them are accepted', () => {
  const good = hmacHex(secret, `${now}.${body}`);
  const header = `t=${now},v0=${'0'.repeat(64)},v1=${'f'.repeat(64)},v1=${good},scheme=x`;
  assert.deepEqual(verifyStripe({ body, headers: { 'Stripe-Signature': header }, secrets: secret, now }), { timestamp: now });
});

test('a header without t= or without v1= is header_invalid', () => {
  const good = hmacHex(secret, `${now}.${body}`);
  for (const header of [`v1=${good}`, `t=${now}`, `t=${now},v0=${good}`, 'garbage']) {
    assert.equal(
      codeOf(() => verifyStripe({ body, headers: { 'stripe-signature': header }, secrets: secret, now })),
      'header_invalid',
      header,
    );
  }
});

test('the delivery id and the type are the event id and type from the payload', () => {
  const payload = JSON.parse(body);
  assert.equal(stripeScheme.deliveryId({}, payload), 'evt_1NG8Du2eZvKYlo2CUI79vXWy');
  assert.equal(stripeScheme.eventType({}, payload), 'invoice.paid');
  assert.equal(stripeScheme.deliveryId({}, 'not json'), null);
});
