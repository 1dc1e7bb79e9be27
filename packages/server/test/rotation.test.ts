/**
 * Secret rotation with overlap, end to end: after a rotation each delivery is signed with the new and the old
 * secret, so receivers holding either verify; once the overlap ends only the new one signs. Both signature schemes,
 * a real hookd with an injected clock, real receivers on loopback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHookdClient, generateSecret, type SchemeName, verify, WebhookVerificationError } from '@hookd/sdk';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/index.js';
import { eventually, startWithReceiver, type TestHookd } from './helpers/hookd.js';
import type { Received } from './helpers/receiver.js';

const HOUR = 3_600_000;

/** Waits until every delivery of the app has succeeded, so moving the clock on cannot expire a lease. */
async function allDelivered(server: TestHookd): Promise<void> {
  await eventually(
    async () => {
      const { body } = await server.call('GET', '/v1/apps/acme/deliveries');
      return body.data.every((d: { status: string }) => d.status === 'succeeded') ? true : undefined;
    },
    5000,
    'every delivery to succeed',
  );
}

/** Whether a receiver holding only `secret` accepts the request, at the hookd clock's time. */
function verifiesWith(scheme: SchemeName, request: Received, secret: string, nowMs: number): boolean {
  try {
    verify(scheme, { body: request.body, headers: request.headers, secrets: secret, now: Math.floor(nowMs / 1000) });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

/** The signatures a request carries: space-separated `v1,…` (Standard Webhooks) or comma-separated `sha256=…`. */
function signatures(scheme: SchemeName, request: Received): string[] {
  return scheme === 'standard'
    ? String(request.headers['webhook-signature']).split(' ')
    : String(request.headers['x-webhook-signature']).split(',');
}

for (const scheme of ['standard', 'hmac-sha256-hex'] as const) {
  test(`${scheme}: after a rotation, the old and the new secret both verify until the overlap ends, then only the new`, async (t) => {
    const { server, receiver, clock } = await startWithReceiver(t);
    const created = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, signatureScheme: scheme });
    assert.equal(created.status, 201);
    const ep = created.body.id as string;
    const oldSecret = created.body.secret as string;

    const rotated = await server.call('POST', `/v1/apps/acme/endpoints/${ep}/rotate-secret`, {});
    assert.equal(rotated.status, 200);
    const newSecret = rotated.body.secret as string;
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, oldSecret);
    assert.equal(rotated.body.signatureScheme, scheme);
    assert.ok(!JSON.stringify(rotated.body).includes(oldSecret), 'the old secret is not shown again');
    assert.equal((await server.call('GET', `/v1/apps/acme/endpoints/${ep}`)).body.secret, newSecret);

    // Within the overlap: two signatures, one per secret.
    assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } })).status, 202);
    const [during] = (await receiver.waitFor(1)) as [Received];
    assert.equal(signatures(scheme, during).length, 2);
    assert.ok(verifiesWith(scheme, during, oldSecret, clock.now), 'a receiver still on the old secret verifies');
    assert.ok(verifiesWith(scheme, during, newSecret, clock.now), 'a receiver already on the new secret verifies');
    assert.ok(!verifiesWith(scheme, during, generateSecret(), clock.now), 'any other secret fails');
    if (scheme === 'standard') {
      const headers = during.headers as Record<string, string>;
      assert.deepEqual(new Webhook(oldSecret).verify(during.body, headers), JSON.parse(during.body));
      assert.deepEqual(new Webhook(newSecret).verify(during.body, headers), JSON.parse(during.body));
    }

    // The overlap ends exactly one hour after the rotation.
    await allDelivered(server);
    clock.now += HOUR;
    assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 2 } })).status, 202);
    const after = (await receiver.waitFor(2))[1] as Received;
    assert.equal(JSON.parse(after.body).data.n, 2);
    assert.ok(!verifiesWith(scheme, after, oldSecret, clock.now), 'the old secret no longer signs');
    assert.ok(verifiesWith(scheme, after, newSecret, clock.now));
    assert.equal(signatures(scheme, after).length, 1);
  });
}

test('a rotation takes your own secret through the client, and refuses a malformed one or an unknown endpoint', async (t) => {
  const { server, receiver, clock } = await startWithReceiver(t);
  const client = createHookdClient({ baseUrl: server.url, token: server.hookd.adminToken ?? '', timeoutMs: 5000 });
  const ep = await client.endpoints.create('acme', { url: receiver.url });
  const mine = generateSecret();
  const rotated = await client.endpoints.rotateSecret('acme', ep.id, { secret: mine });
  assert.equal(rotated.secret, mine);
  assert.equal(rotated.id, ep.id);
  assert.deepEqual(rotated.headers, {});
  assert.equal(rotated.updatedAt, new Date(clock.now).toISOString());

  // A second rotation within the overlap: the secret just replaced signs beside the new one, the first one stops.
  const again = await client.endpoints.rotateSecret('acme', ep.id);
  assert.notEqual(again.secret, mine);
  await client.events.publish('acme', { type: 'order.created', data: {} });
  const [request] = (await receiver.waitFor(1)) as [Received];
  assert.ok(verifiesWith('standard', request, mine, clock.now));
  assert.ok(verifiesWith('standard', request, again.secret ?? '', clock.now));
  assert.ok(!verifiesWith('standard', request, ep.secret ?? '', clock.now));

  // Without any body, as `curl -X POST` sends it.
  const bare = await fetch(`${server.url}/v1/apps/acme/endpoints/${ep.id}/rotate-secret`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.hookd.adminToken}` },
  });
  assert.equal(bare.status, 200);
  assert.notEqual(((await bare.json()) as { secret: string }).secret, again.secret);

  const malformed = await server.call('POST', `/v1/apps/acme/endpoints/${ep.id}/rotate-secret`, { secret: 'not-a-secret' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'validation_failed');
  const unknown = await server.call('POST', '/v1/apps/acme/endpoints/ep_nobody/rotate-secret', {});
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'endpoint_not_found');
});

test('HOOKD_SECRET_OVERLAP defaults to 24 hours and is read from the environment', () => {
  assert.equal(loadConfig({}).secretOverlapMs, 24 * HOUR);
  assert.equal(loadConfig({ env: { HOOKD_SECRET_OVERLAP: '90m' } }).secretOverlapMs, 1.5 * HOUR);
  assert.equal(loadConfig({ flags: { secretOverlap: '0' } }).secretOverlapMs, 0, 'no overlap: the old secret stops at once');
});
