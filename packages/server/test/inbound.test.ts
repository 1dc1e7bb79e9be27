/**
 * The inbound gateway end to end, on loopback: providers' own libraries sign, hookd ingests at /in/{source},
 * keeps the request and forwards it through the delivery engine to the app's URL.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { signSlack } from '@hookd/sdk/verify';
import { sign as signGitHubOctokit } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const STRIPE_SECRET = 'whsec_5f7b2c0c1d9e4a8b6f3e2d1c0b9a8f7e';
const GITHUB_SECRET = 'mysecret-for-github-hooks';
const stripe = new Stripe('sk_test_x');

/** POSTs raw bytes to the ingest URL, as a provider would. */
async function deliver(hookd: TestHookd, source: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${hookd.url}/in/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function createSource(hookd: TestHookd, fields: Record<string, unknown>) {
  const answer = await hookd.call('POST', '/v1/sources', fields);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function withHookd(run: (hookd: TestHookd, app: Receiver) => Promise<void>, settings = {}): Promise<void> {
  const hookd = await startTestHookd(settings);
  const app = await startReceiver();
  try {
    await run(hookd, app);
  } finally {
    await app.close();
    await hookd.close();
  }
}

test("a Stripe event signed with stripe's test header is forwarded byte for byte, with Stripe's headers and hookd's signature", () =>
  withHookd(async (hookd, app) => {
    const source = await createSource(hookd, {
      name: 'stripe',
      scheme: 'stripe',
      secrets: [STRIPE_SECRET],
      destinations: [{ url: app.url }],
    });
    assert.match(source.ingestUrl, /\/in\/stripe$/);
    // Spacing and key order a re-serialization would change: what arrives must be these exact bytes.
    const payload =
      '{"id": "evt_1",  "object":"event", "type": "payment_intent.succeeded", "data": {"object": {"amount": 4200}}}';
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    const answer = await deliver(hookd, 'stripe', payload, { 'stripe-signature': header, 'user-agent': 'Stripe/1.0' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.received, true);
    assert.equal(answer.body.duplicate, false);

    const [received] = await app.waitFor(1);
    assert.ok(received);
    assert.equal(received.body, payload);
    assert.equal(received.headers['stripe-signature'], header);
    assert.equal(received.headers['user-agent'], 'Stripe/1.0');
    assert.equal(received.headers['content-type'], 'application/json');
    // The app can trust hookd's signature with its destination's secret, or check Stripe's own.
    const secret = source.destinations[0].secret;
    new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
    assert.equal(received.headers['webhook-id'], answer.body.id);
    assert.equal(stripe.webhooks.constructEvent(received.body, header, STRIPE_SECRET).id, 'evt_1');

    const event = await hookd.call('GET', `/v1/apps/${source.appId}/events/${answer.body.id}`);
    assert.equal(event.body.type, 'payment_intent.succeeded');
  }));

test('tampered or unsigned webhooks are refused with 401, counted on the source, and never forwarded', () =>
  withHookd(async (hookd, app) => {
    await createSource(hookd, { name: 'stripe', scheme: 'stripe', secrets: [STRIPE_SECRET], destinations: [{ url: app.url }] });
    const payload = '{"id":"evt_2","type":"charge.succeeded"}';
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    const tampered = await deliver(hookd, 'stripe', payload.replace('evt_2', 'evt_3'), { 'stripe-signature': header });
    assert.equal(tampered.status, 401);
    assert.equal(tampered.body.error.code, 'signature_invalid');
    const unsigned = await deliver(hookd, 'stripe', payload);
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.body.error.code, 'header_missing');
    assert.equal(unsigned.body.error.message, 'the Stripe-Signature header is missing', 'the message does not repeat the code');
    const stale = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: STRIPE_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    assert.equal((await deliver(hookd, 'stripe', payload, { 'stripe-signature': stale })).body.error.code, 'timestamp_too_old');

    const source = await eventually(async () => {
      const s = (await hookd.call('GET', '/v1/sources/stripe')).body;
      return s.refusals.count === 3 ? s : undefined;
    });
    assert.equal(source.refusals.lastCode, 'timestamp_too_old');
    assert.match(source.refusals.lastMessage, /too old/);
    assert.doesNotMatch(source.refusals.lastMessage, /timestamp_too_old/);
    const events = await hookd.call('GET', `/v1/apps/${source.appId}/events`);
    assert.equal(events.body.data.length, 0, 'nothing refused was kept');
    await hookd.idle(); // the worker found nothing more to forward
    assert.equal(app.requests.length, 0, 'nothing refused was forwarded');
    const metrics = await (await fetch(`${hookd.url}/metrics`)).text();
    assert.match(metrics, /hookd_inbound_refusals_total\{reason="signature_invalid"\} 1/);
    assert.match(metrics, /hookd_inbound_refusals_total\{reason="header_missing"\} 1/);
    assert.match(metrics, /hookd_inbound_refusals_total\{reason="timestamp_too_old"\} 1/);
  }));

test('GitHub webhooks signed by @octokit/webhooks-methods verify with either secret of a rotation; a provider retrying one delivery id 3 times makes one event', () =>
  withHookd(async (hookd, app) => {
    const source = await createSource(hookd, {
      name: 'github',
      scheme: 'github',
      secrets: ['the-new-secret', GITHUB_SECRET],
      destinations: [{ url: app.url, events: ['push'] }],
    });
    const payload = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'o/r' } });
    const headers = {
      'x-hub-signature-256': await signGitHubOctokit(GITHUB_SECRET, payload),
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await deliver(hookd, 'github', payload, headers));
    assert.deepEqual(
      answers.map((a) => [a.status, a.body.duplicate]),
      [
        [200, false],
        [200, true],
        [200, true],
      ],
    );
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, 'the retries answer with the first event');
    // Two copies sent at once are still one event: the delivery id is a unique key.
    const other = { ...headers, 'x-github-delivery': 'second-delivery' };
    const raced = await Promise.all([1, 2, 3].map(() => deliver(hookd, 'github', payload, other)));
    assert.deepEqual(raced.map((a) => a.body.duplicate).sort(), [false, true, true]);

    const received = await app.waitFor(2);
    await hookd.idle(); // the worker found nothing more to forward
    assert.equal(app.requests.length, 2, 'one forward per delivery id');
    assert.equal(received[0]?.headers['x-github-delivery'], headers['x-github-delivery']);
    assert.equal(received[0]?.headers['x-hub-signature-256'], headers['x-hub-signature-256']);

    // The destination filters on the type: a ping is kept but not forwarded there.
    const ping = JSON.stringify({ zen: 'Design for failure.' });
    const pinged = await deliver(hookd, 'github', ping, {
      'x-hub-signature-256': await signGitHubOctokit('the-new-secret', ping),
      'x-github-event': 'ping',
      'x-github-delivery': 'ping-1',
    });
    assert.equal(pinged.status, 200);
    const events = await hookd.call('GET', `/v1/apps/${source.appId}/events`);
    assert.equal(events.body.data.length, 3);
    await hookd.idle(); // the worker found nothing more to forward
    assert.equal(app.requests.length, 2);
  }));

test('a Slack source answers Slack’s signed url_verification with its challenge, keeping and forwarding nothing', () =>
  withHookd(async (hookd, app) => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const source = await createSource(hookd, {
      name: 'slack',
      scheme: 'slack',
      secrets: [secret],
      destinations: [{ url: app.url }],
    });
    const body = JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: 'ch-3eZbrw1aBm2rZgRN',
      type: 'url_verification',
    });
    const now = Math.floor(Date.now() / 1000);
    const check = await deliver(hookd, 'slack', body, signSlack({ body, secrets: secret, timestamp: now }));
    assert.equal(check.status, 200);
    assert.deepEqual(check.body, { challenge: 'ch-3eZbrw1aBm2rZgRN' });
    const forged = await deliver(hookd, 'slack', body, signSlack({ body, secrets: 'not-the-secret', timestamp: now }));
    assert.equal(forged.status, 401);

    const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev08', event: { type: 'app_mention', text: 'hi' } });
    const kept = await deliver(hookd, 'slack', event, signSlack({ body: event, secrets: secret, timestamp: now }));
    assert.equal(kept.status, 200);
    assert.equal(kept.body.received, true);
    const [forwarded] = await app.waitFor(1);
    assert.equal(forwarded?.body, event, 'only the event is forwarded');
    const events = await hookd.call('GET', `/v1/apps/${source.appId}/events`);
    assert.equal(events.body.data.length, 1, 'the URL check is not kept');
  }));

test('behind a proxy, HOOKD_PUBLIC_URL is the base of ingest URLs and portal links', async () => {
  const hookd = await startTestHookd({ publicUrl: 'https://hooks.example.com/' });
  try {
    const source = await createSource(hookd, {
      name: 'gh',
      scheme: 'github',
      secrets: ['s'],
      destinations: [{ url: 'http://127.0.0.1:9/webhook' }],
    });
    assert.equal(source.ingestUrl, 'https://hooks.example.com/in/gh');
    const link = await hookd.call('POST', `/v1/apps/${source.appId}/portal-link`, {});
    assert.match(link.body.url, /^https:\/\/hooks\.example\.com\/ui\/portal\?token=/);
  } finally {
    await hookd.close();
  }
});

test('the destination down for a while loses nothing: every event arrives, its attempts failures then a success', async () => {
  // A port that refuses connections until the app starts listening on it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const hookd = await startTestHookd({ retrySchedule: '0,150ms,150ms,150ms,150ms,150ms,150ms,150ms,150ms,150ms' });
  const seen: string[] = [];
  const app = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push(body);
      res.end('ok');
    });
  });
  try {
    const source = await createSource(hookd, {
      name: 'svc',
      scheme: 'none',
      destinations: [{ url: `http://127.0.0.1:${port}/webhook` }],
    });
    const bodies = Array.from({ length: 5 }, (_, i) => JSON.stringify({ type: 'order.created', n: i }));
    for (const body of bodies) assert.equal((await deliver(hookd, 'svc', body)).status, 200);
    const deliveries = async () => (await hookd.call('GET', `/v1/apps/${source.appId}/deliveries?limit=50`)).body.data;
    // Wait until every delivery failed at least twice against the closed port.
    await eventually(async () =>
      (await deliveries()).every((d: { attemptCount: number }) => d.attemptCount >= 2) ? true : undefined,
    );
    await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
    await eventually(() => (seen.length >= bodies.length ? true : undefined), 5_000, 'every event to arrive');
    assert.deepEqual([...seen].sort(), [...bodies].sort());
    const all = await eventually(async () => {
      const list = await deliveries();
      return list.every((d: { status: string }) => d.status === 'succeeded') ? list : undefined;
    });
    for (const delivery of all) {
      const { body } = await hookd.call('GET', `/v1/apps/${source.appId}/deliveries/${delivery.id}`);
      const attempts = body.attempts as { responseStatus: number | null; error: { code: string } | null }[];
      assert.ok(attempts.length >= 3, `${attempts.length} attempts`);
      assert.ok(
        attempts.slice(0, -1).every((a) => a.error?.code === 'connection_refused'),
        JSON.stringify(attempts),
      );
      assert.equal(attempts.at(-1)?.responseStatus, 200);
    }
  } finally {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
    await hookd.close();
  }
});

test('the allowlist, the rate limit, the size limit and the schema refuse with 403, 429, 413 and 400, each counted', () =>
  withHookd(
    async (hookd, app) => {
      await createSource(hookd, { name: 'walled', scheme: 'none', allowIps: ['10.0.0.0/8'], destinations: [{ url: app.url }] });
      const walled = await deliver(hookd, 'walled', '{}');
      assert.equal(walled.status, 403);
      assert.equal(walled.body.error.code, 'ip_not_allowed');
      await createSource(hookd, {
        name: 'loopback',
        scheme: 'none',
        allowIps: ['127.0.0.0/8', '::1'],
        rateLimit: { perSecond: 1, burst: 2 },
        schema: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
        destinations: [{ url: app.url }],
      });
      assert.equal((await deliver(hookd, 'loopback', '{"type":"a.b"}')).status, 200);
      const invalid = await deliver(hookd, 'loopback', '{"type":1}');
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.code, 'validation_failed');
      assert.deepEqual(invalid.body.error.details, [{ path: '/type', message: 'must be string' }]);
      const limited = await deliver(hookd, 'loopback', '{"type":"a.b"}');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'rate_limited');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);

      const big = await deliver(hookd, 'walled', JSON.stringify({ pad: 'x'.repeat(2048) }));
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'payload_too_large');
      const unknown = await deliver(hookd, 'no-such-source', '{}');
      assert.equal(unknown.status, 404, 'an unknown source is a 404');
      assert.equal(unknown.body.error.code, 'source_not_found');
      await createSource(hookd, { name: 'plain', scheme: 'none', destinations: [{ url: app.url }] });
      const binary = await deliver(hookd, 'plain', Buffer.from([0x7b, 0xff, 0x7d]), {
        'content-type': 'application/octet-stream',
      });
      assert.equal(binary.status, 400);
      assert.equal(binary.body.error.code, 'body_not_text');

      const walledSource = await eventually(async () => {
        const s = (await hookd.call('GET', '/v1/sources/walled')).body;
        return s.refusals.count === 2 ? s : undefined;
      });
      assert.equal(walledSource.refusals.lastCode, 'payload_too_large');
      const loopback = (await hookd.call('GET', '/v1/sources/loopback')).body;
      assert.equal(loopback.refusals.count, 2);
      await app.waitFor(1);
      await hookd.idle(); // the worker found nothing more to forward
      assert.equal(app.requests.length, 1, 'only the accepted webhook was forwarded');
    },
    { maxPayload: 1024 },
  ));

test('sources are listed, changed (secret rotation) and deleted; bad settings are refused when given', () =>
  withHookd(async (hookd, app) => {
    const made = await createSource(hookd, { name: 'gh', scheme: 'github', secrets: ['old'], destinations: [{ url: app.url }] });
    const taken = await hookd.call('POST', '/v1/sources', { name: 'gh', scheme: 'none', destinations: [{ url: app.url }] });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'source_name_taken');
    const noSecret = await hookd.call('POST', '/v1/sources', { name: 'x', scheme: 'github', destinations: [{ url: app.url }] });
    assert.equal(noSecret.body.error.code, 'validation_failed');
    const badCidr = await hookd.call('POST', '/v1/sources', {
      name: 'y',
      scheme: 'none',
      allowIps: ['10.0.0.0/33'],
      destinations: [{ url: app.url }],
    });
    assert.equal(badCidr.body.error.code, 'validation_failed');
    const badSchema = await hookd.call('POST', '/v1/sources', {
      name: 'z',
      scheme: 'none',
      schema: { type: 'nonsense' },
      destinations: [{ url: app.url }],
    });
    assert.equal(badSchema.body.error.code, 'validation_failed');
    const badStandardSecret = await hookd.call('POST', '/v1/sources', {
      name: 'w',
      scheme: 'standard',
      secrets: ['whsec_***'],
      destinations: [{ url: app.url }],
    });
    assert.equal(badStandardSecret.body.error.code, 'validation_failed');

    const listed = await hookd.call('GET', '/v1/sources');
    assert.deepEqual(
      listed.body.data.map((s: { name: string }) => s.name),
      ['gh'],
    );
    const payload = '{"zen":"x"}';
    const signed = async (secret: string) =>
      deliver(hookd, 'gh', payload, {
        'x-hub-signature-256': await signGitHubOctokit(secret, payload),
        'x-github-event': 'ping',
      });
    assert.equal((await signed('new')).status, 401);
    const rotated = await hookd.call('PATCH', `/v1/sources/${made.id}`, { secrets: ['new', 'old'] });
    assert.equal(rotated.status, 200);
    assert.deepEqual(rotated.body.secrets, ['new', 'old']);
    assert.equal((await signed('new')).status, 200, 'a change applies at once');
    assert.equal((await signed('old')).status, 200);

    assert.equal((await hookd.call('DELETE', '/v1/sources/gh')).status, 204);
    assert.equal((await hookd.call('GET', `/v1/sources/${made.id}`)).body.error.code, 'source_not_found');
    assert.equal((await hookd.call('GET', `/v1/apps/${made.appId}`)).status, 404, 'its app went with it');
    assert.equal((await signed('new')).status, 404);
    assert.equal((await fetch(`${hookd.url}/v1/sources`)).status, 401, 'the API needs the token; ingest does not');
  }));
