/**
 * Ed25519 endpoints (Standard Webhooks `v1a`), end to end: hookd keeps the `whsk_` secret key, the API, the
 * dashboard and the portal show only the `whpk_` public key, and a receiver holding just that key verifies each
 * delivery — checked with node:crypto from the spec, and with the SDK. Rotations and a switch from HMAC sign with
 * both keys for the overlap. A real hookd with an injected clock, a real receiver on loopback.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateKeyPair, generateSecret, verify, WebhookVerificationError } from '@hookd/sdk';
import { listenUrl, runCli, startCli } from './helpers/cli.js';
import { startWithReceiver } from './helpers/hookd.js';
import type { Received } from './helpers/receiver.js';
import { signIn } from './helpers/ui.js';

const HOUR = 3_600_000;

/** The `v1a` signatures of a request that verify under `whpk` per the spec: Ed25519 over "id.timestamp.body". */
function specVerifies(request: Received, whpk: string): boolean {
  const x = Buffer.from(whpk.slice('whpk_'.length), 'base64').toString('base64url');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const headers = request.headers as Record<string, string>;
  const signed = Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${request.body}`);
  return String(headers['webhook-signature'])
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verifySignature(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}

function sdkVerifies(request: Received, secret: string, nowMs: number): boolean {
  try {
    verify('standard', { body: request.body, headers: request.headers, secrets: secret, now: Math.floor(nowMs / 1000) });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

test('an ed25519 endpoint shows only its public key, and a receiver holding just that key verifies', async (t) => {
  const { server, receiver, clock } = await startWithReceiver(t);
  const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, signatureScheme: 'ed25519' });
  assert.equal(created.status, 201);
  assert.equal(created.body.signatureScheme, 'ed25519');
  assert.equal(created.body.secret, null, 'the secret key never leaves hookd');
  assert.match(created.body.publicKey, /^whpk_[A-Za-z0-9+/]{43}=$/);
  const { publicKey } = created.body;
  const listed = await server.call('GET', '/v1/apps/acme/endpoints');
  assert.ok(!JSON.stringify(listed.body).includes('whsk_'));

  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } })).status, 202);
  const [request] = (await receiver.waitFor(1)) as [Received];
  assert.match(String(request.headers['webhook-signature']), /^v1a,\S+$/);
  assert.ok(specVerifies(request, publicKey), 'node:crypto, from the spec alone');
  assert.ok(sdkVerifies(request, publicKey, clock.now), '@hookd/sdk with the public key');
  assert.ok(!sdkVerifies(request, generateKeyPair().publicKey, clock.now), 'another key fails');
  assert.ok(!sdkVerifies({ ...request, body: request.body.replace('1', '2') }, publicKey, clock.now), 'a changed body fails');

  // The dashboard (and the portal, which shows the same screen) shows the public key, never a secret.
  const session = await signIn(server.url, server.hookd.adminToken ?? '');
  const ep = created.body.id as string;
  const page = await (
    await fetch(`${server.url}/ui/apps/${created.body.appId}/endpoints/${ep}`, { headers: { cookie: session.cookie } })
  ).text();
  assert.ok(page.includes(publicKey));
  assert.ok(!page.includes('whsk_'), 'no secret key on the page');
  const { url } = (await server.call('POST', '/v1/apps/acme/portal-link', {})).body;
  const opened = await fetch(url, { redirect: 'manual' });
  const portalCookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const portal = await (
    await fetch(`${server.url}/ui/apps/${created.body.appId}/endpoints/${ep}`, { headers: { cookie: portalCookie } })
  ).text();
  assert.ok(portal.includes(publicKey), 'the portal shows the public key');
  assert.ok(!portal.includes('whsk_'));
});

test('rotating an ed25519 key signs with the old and the new key until the overlap ends', async (t) => {
  const { server, receiver, clock } = await startWithReceiver(t);
  const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, signatureScheme: 'ed25519' });
  const ep = created.body.id as string;
  const rotated = await server.call('POST', `/v1/apps/acme/endpoints/${ep}/rotate-secret`, {});
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.publicKey, created.body.publicKey);
  assert.equal(rotated.body.secret, null);

  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } });
  const [during] = (await receiver.waitFor(1)) as [Received];
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  assert.ok(specVerifies(during, created.body.publicKey));
  assert.ok(specVerifies(during, rotated.body.publicKey));

  await server.idle();
  clock.now += HOUR;
  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 2 } });
  const after = (await receiver.waitFor(2))[1] as Received;
  assert.ok(!specVerifies(after, created.body.publicKey), 'the old key no longer signs');
  assert.ok(specVerifies(after, rotated.body.publicKey));

  // A key pair of one's own: the whsk_ is taken, the answer shows its public key.
  const mine = generateKeyPair();
  const given = await server.call('POST', `/v1/apps/acme/endpoints/${ep}/rotate-secret`, { secret: mine.secretKey });
  assert.equal(given.body.publicKey, mine.publicKey);
  // A whsec_ secret does not fit an ed25519 endpoint, nor a whsk_ key an HMAC one.
  const wrong = await server.call('POST', `/v1/apps/acme/endpoints/${ep}/rotate-secret`, { secret: generateSecret() });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.code, 'validation_failed');
  assert.match(wrong.body.error.message, /whsk_/);
  const hmac = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, secret: mine.secretKey });
  assert.equal(hmac.status, 400);
  assert.equal(hmac.body.error.code, 'validation_failed');
});

test('switching an endpoint from HMAC to ed25519 signs v1 and v1a for the overlap, so no receiver breaks', async (t) => {
  const { server, receiver, clock } = await startWithReceiver(t);
  const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url });
  const secret = created.body.secret as string;
  const ep = created.body.id as string;
  const switched = await server.call('PATCH', `/v1/apps/acme/endpoints/${ep}`, { signatureScheme: 'ed25519' });
  assert.equal(switched.status, 200);
  assert.equal(switched.body.signatureScheme, 'ed25519');
  assert.equal(switched.body.secret, null);
  assert.match(switched.body.publicKey, /^whpk_/);

  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } });
  const [during] = (await receiver.waitFor(1)) as [Received];
  assert.ok(sdkVerifies(during, secret, clock.now), 'a receiver still on the whsec_ secret verifies');
  assert.ok(specVerifies(during, switched.body.publicKey), 'a receiver on the public key verifies');

  await server.idle();
  clock.now += HOUR;
  await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 2 } });
  const after = (await receiver.waitFor(2))[1] as Received;
  assert.ok(!sdkVerifies(after, secret, clock.now), 'after the overlap only the key pair signs');
  assert.ok(specVerifies(after, switched.body.publicKey));
});

test('hookd listen --secret whpk_… verifies what hookd send --secret whsk_… signs, and refuses another key', {
  timeout: 60_000,
}, async (t) => {
  const pair = generateKeyPair();
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-'));
  const cli = startCli(['listen', '--port', '0', '--db', join(dir, 'listen.sqlite'), '--secret', pair.publicKey], {
    env: { NO_COLOR: '1' },
  });
  t.after(async () => {
    await cli.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = await listenUrl(cli);
  const send = (secret: string) => runCli(['send', `${base}/hook`, '--type', 'order.created', '--secret', secret]);
  assert.equal((await send(pair.secretKey)).code, 0);
  let out = await cli.waitFor('→ answered 200');
  assert.match(out, /webhook-signature: v1a,/);
  assert.match(out, /✓ signature verified \(standard, detected\)/);
  assert.equal((await send(generateKeyPair().secretKey)).code, 0);
  out = await cli.waitFor(/#2[\s\S]*→ answered 200/);
  assert.match(out, /✗ signature not verified: signature_invalid/);
});
