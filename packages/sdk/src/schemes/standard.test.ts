import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { generateSecret } from '../secret.js';
import { signStandard, standardScheme, verifyStandard } from './standard.js';

const secret = generateSecret();
const now = 1_767_225_600;
const body = '{"type":"payment.completed","timestamp":"2026-01-01T00:00:00.000Z","data":{"amount":5}}';

test('the signature is v1, and the base64 HMAC of "id.timestamp.body" keyed with the decoded secret', () => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`msg_1.${now}.${body}`).digest('base64');
  assert.deepEqual(signStandard({ id: 'msg_1', timestamp: now, body, secrets: secret }), {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(now),
    'webhook-signature': `v1,${expected}`,
  });
});

test('rotation puts one v1 signature per secret in the header, space-separated', () => {
  const headers = signStandard({ id: 'msg_2', timestamp: now, body, secrets: [secret, generateSecret()] });
  const parts = headers['webhook-signature'].split(' ');
  assert.equal(parts.length, 2);
  for (const part of parts) assert.ok(part.startsWith('v1,'));
});

test('signatures of other versions are skipped; a header with only those is header_invalid', () => {
  const signed = signStandard({ id: 'msg_3', timestamp: now, body, secrets: secret });
  const v1a = `v1a,${randomBytes(64).toString('base64')}`;
  const mixed = { ...signed, 'webhook-signature': `${v1a} ${signed['webhook-signature']}` };
  assert.deepEqual(verifyStandard({ body, headers: mixed, secrets: secret, now }), { id: 'msg_3', timestamp: now });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: { ...signed, 'webhook-signature': v1a }, secrets: secret, now })),
    'header_invalid',
  );
});

test('svix-* header names are accepted, and the three headers come from one family', () => {
  const signed = signStandard({ id: 'msg_4', timestamp: now, body, secrets: secret });
  const svix = {
    'svix-id': signed['webhook-id'],
    'svix-timestamp': signed['webhook-timestamp'],
    'svix-signature': signed['webhook-signature'],
  };
  assert.equal(verifyStandard({ body, headers: svix, secrets: secret, now }).id, 'msg_4');
  // webhook-signature present: its id and timestamp must be webhook-* too, not borrowed from svix-*.
  const mixed = { 'webhook-signature': signed['webhook-signature'], 'svix-id': 'msg_4', 'svix-timestamp': String(now) };
  assert.equal(
    codeOf(() => verifyStandard({ body, headers: mixed, secrets: secret, now })),
    'header_missing',
  );
});

test('a secret is base64 with or without whsec_; anything else is secret_invalid', () => {
  const headers = signStandard({ id: 'msg_5', timestamp: now, body, secrets: secret });
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: secret.slice('whsec_'.length), now })),
    undefined,
  );
  for (const bad of ['whsec_', 'whsec_not base64!', 'whsec_####', `${secret}*`]) {
    assert.equal(
      codeOf(() => verifyStandard({ body, headers, secrets: bad, now })),
      'secret_invalid',
      bad,
    );
  }
});

test('the delivery id is webhook-id (or svix-id) and the type is the payload type', () => {
  assert.equal(standardScheme.deliveryId({ 'webhook-id': 'msg_6' }, {}), 'msg_6');
  assert.equal(standardScheme.deliveryId({ 'svix-id': 'msg_7' }, {}), 'msg_7');
  assert.equal(standardScheme.deliveryId({}, {}), null);
  assert.equal(standardScheme.eventType({}, JSON.parse(body)), 'payment.completed');
  assert.equal(standardScheme.eventType({}, { type: 5 }), null);
  assert.equal(standardScheme.eventType({}, null), null);
});

test('sign makes up an id and takes the clock when none is given', () => {
  const before = Math.floor(Date.now() / 1000);
  const headers = standardScheme.sign({ body, secrets: secret });
  assert.match(headers['webhook-id'] ?? '', /^msg_/);
  assert.ok(Math.abs(Number(headers['webhook-timestamp']) - before) <= 1);
  assert.equal(
    codeOf(() => verifyStandard({ body, headers, secrets: secret })),
    undefined,
  );
});
