/**
 * The inbound gateway against forged and hostile traffic, on loopback: replays with a changed unsigned id,
 * credentials and forged signatures among the forwarded headers, and floods of unsigned requests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sign as signGitHubOctokit } from '@octokit/webhooks-methods';
import { Webhook as SvixWebhook } from 'svix';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const SVIX_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

async function deliver(hookd: TestHookd, source: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${hookd.url}/in/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function createSource(hookd: TestHookd, fields: Record<string, unknown>) {
  const answer = await hookd.call('POST', '/v1/sources', fields);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function withHookd(
  run: (hookd: TestHookd, app: Receiver) => Promise<void>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const hookd = await startTestHookd(settings);
  const app = await startReceiver();
  try {
    await run(hookd, app);
  } finally {
    await app.close();
    await hookd.close();
  }
}

const signGitHub = (secret: string, body: string) => signGitHubOctokit(secret, body);

/** Headers the svix library signs a delivery with. */
function svixSigned(id: string, body: string): Record<string, string> {
  const now = new Date();
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
    'svix-signature': new SvixWebhook(SVIX_SECRET).sign(id, now, body),
  };
}

test('a Svix-signed request replayed with a changed webhook-id is a duplicate: one event, forwarded once', () =>
  withHookd(async (hookd, app) => {
    const source = await createSource(hookd, {
      name: 'svix',
      scheme: 'standard',
      secrets: [SVIX_SECRET],
      destinations: [{ url: app.url }],
    });
    const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
    const signed = svixSigned('msg_svix_replayed', body);
    const answers: Awaited<ReturnType<typeof deliver>>[] = [];
    for (const forged of ['anything-1', 'anything-2', 'anything-3'])
      answers.push(await deliver(hookd, 'svix', body, { ...signed, 'webhook-id': forged }));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    assert.deepEqual(
      answers.map((a) => a.body.duplicate),
      [false, true, true],
    );
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, 'every copy answers with the first message');

    const events = await hookd.call('GET', `/v1/apps/${source.appId}/events`);
    assert.equal(events.body.data.length, 1, 'one event kept');
    await app.waitFor(1);
    const delivered = await eventually(async () => {
      const list = (await hookd.call('GET', `/v1/apps/${source.appId}/events/${answers[0]?.body.id}/deliveries`)).body.data;
      return list.every((d: { status: string }) => d.status === 'succeeded') ? list : undefined;
    });
    assert.equal(delivered.length, 1);
    assert.equal(app.requests.length, 1, 'forwarded once');
  }));

/** What a caller may add to a signed request that must never reach the app. */
const HOSTILE = {
  authorization: 'Bearer caller-token',
  cookie: 'session=caller',
  'x-forwarded-for': '203.0.113.9',
  'x-real-ip': '203.0.113.9',
  'svix-id': 'msg_forged',
  'svix-timestamp': '1',
  'svix-signature': 'v1,Zm9yZ2VkLXNpZ25hdHVyZQ==',
  'x-custom': 'kept only when the source asks',
};

test('a forwarded GitHub delivery carries no credentials, address claims or forged svix-*, and the svix library verifies hookd’s forward', () =>
  withHookd(async (hookd, app) => {
    const secret = 'github-hooks-secret';
    const source = await createSource(hookd, {
      name: 'github',
      scheme: 'github',
      secrets: [secret],
      destinations: [{ url: app.url }],
    });
    const body = '{"zen":"Keep it logically awesome.","hook_id":1}';
    const answer = await deliver(hookd, 'github', body, {
      ...HOSTILE,
      'x-hub-signature-256': await signGitHub(secret, body),
      'x-github-event': 'ping',
      'x-github-delivery': 'd-1',
      'x-github-hook-id': '42',
      'user-agent': 'GitHub-Hookshot/abc',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [received] = await app.waitFor(1);
    assert.ok(received);
    for (const name of ['authorization', 'cookie', 'x-forwarded-for', 'x-real-ip', 'x-custom'])
      assert.equal(received.headers[name], undefined, `${name} is not forwarded`);
    assert.equal(received.headers['x-github-event'], 'ping');
    assert.equal(received.headers['x-github-delivery'], 'd-1');
    assert.equal(received.headers['x-github-hook-id'], '42');
    assert.equal(received.headers['user-agent'], 'GitHub-Hookshot/abc');
    assert.ok(received.headers['x-hub-signature-256']);
    // svix reads svix-* first: they are hookd's, and the destination's secret verifies them.
    assert.notEqual(received.headers['svix-signature'], HOSTILE['svix-signature']);
    assert.equal(received.headers['svix-id'], answer.body.id);
    const headers = received.headers as Record<string, string>;
    assert.deepEqual(new SvixWebhook(source.destinations[0].secret).verify(received.body, headers), JSON.parse(body));
  }));

test('a Svix-signed request is forwarded under hookd’s signature in both families; the provider’s is stripped', () =>
  withHookd(async (hookd, app) => {
    const source = await createSource(hookd, {
      name: 'svix',
      scheme: 'standard',
      secrets: [SVIX_SECRET],
      destinations: [{ url: app.url }],
    });
    const body = '{"type":"invoice.paid","data":{"id":"in_2"}}';
    const signed = svixSigned('msg_provider_1', body);
    const answer = await deliver(hookd, 'svix', body, { ...signed, authorization: 'Bearer x', cookie: 'a=b' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [received] = await app.waitFor(1);
    assert.ok(received);
    const headers = received.headers as Record<string, string>;
    assert.equal(headers.authorization, undefined);
    assert.equal(headers.cookie, undefined);
    assert.notEqual(headers['svix-signature'], signed['svix-signature']);
    assert.equal(headers['svix-id'], answer.body.id);
    assert.equal(headers['webhook-id'], answer.body.id);
    const destination = source.destinations[0].secret;
    new SvixWebhook(destination).verify(received.body, headers);
    assert.throws(() => new SvixWebhook(SVIX_SECRET).verify(received.body, headers), 'the provider’s signature is gone');
  }));

/** The setting is stored: the same checks on SQLite and on PostgreSQL. */
function extraHeadersForwarded(settings: Record<string, unknown>) {
  return withHookd(async (hookd, app) => {
    const secret = 'github-hooks-secret';
    const source = await createSource(hookd, {
      name: 'github',
      scheme: 'github',
      secrets: [secret],
      forwardHeaders: ['X-Custom'],
      destinations: [{ url: app.url }],
    });
    assert.deepEqual(source.forwardHeaders, ['x-custom']);
    for (const bad of ['authorization', 'Cookie', 'x-real-ip', 'svix-signature', 'webhook-id', 'not a name']) {
      const refused = await hookd.call('PATCH', '/v1/sources/github', { forwardHeaders: [bad] });
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.body.error.code, 'validation_failed');
    }
    const body = '{"action":"opened"}';
    const headers = { ...HOSTILE, 'x-hub-signature-256': await signGitHub(secret, body), 'x-github-delivery': 'd-2' };
    assert.equal((await deliver(hookd, 'github', body, headers)).status, 200);
    const [first] = await app.waitFor(1);
    assert.equal(first?.headers['x-custom'], HOSTILE['x-custom']);
    assert.equal(first?.headers.authorization, undefined);

    const patched = await hookd.call('PATCH', '/v1/sources/github', { forwardHeaders: ['x-other'] });
    assert.deepEqual(patched.body.forwardHeaders, ['x-other']);
    const next = { ...headers, 'x-github-delivery': 'd-3', 'x-other': 'yes' };
    assert.equal((await deliver(hookd, 'github', body, next)).status, 200);
    const second = (await app.waitFor(2))[1];
    assert.equal(second?.headers['x-other'], 'yes');
    assert.equal(second?.headers['x-custom'], undefined);
  }, settings);
}

test('SQLite: a source’s forwardHeaders adds names to the allowlist; credentials and signature families may not be added', () =>
  extraHeadersForwarded({}));

test('PostgreSQL: a source’s forwardHeaders adds names to the allowlist; credentials and signature families may not be added', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  t.after(() => db.drop());
  await extraHeadersForwarded({ databaseUrl: db.url });
});

/** What `curl -X POST /in/gh -d x` sends: a form body and no signature. */
const unsigned = (hookd: TestHookd, source: string) =>
  fetch(`${hookd.url}/in/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'x',
  }).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));

test('six unsigned requests do not spend a source’s rate limit: a signed GitHub delivery then gets 200', () =>
  withHookd(async (hookd, app) => {
    const secret = 'github-hooks-secret';
    // Almost no refill during the test: every token taken stays taken.
    await createSource(hookd, {
      name: 'gh',
      scheme: 'github',
      secrets: [secret],
      rateLimit: { perSecond: 0.001, burst: 5 },
      destinations: [{ url: app.url }],
    });
    const refused = [];
    for (let i = 0; i < 6; i++) refused.push(await unsigned(hookd, 'gh'));
    assert.deepEqual(
      refused.map((r) => r.body.error.code),
      [...Array(5).fill('header_missing'), 'rate_limited'],
      'unverified requests have a bound of their own',
    );
    const body = '{"zen":"Design for failure.","hook_id":7}';
    const signed = async (delivery: string) =>
      deliver(hookd, 'gh', body, {
        'x-hub-signature-256': await signGitHub(secret, body),
        'x-github-event': 'ping',
        'x-github-delivery': delivery,
      });
    const answers = [];
    for (let i = 1; i <= 6; i++) answers.push(await signed(`d-${i}`));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 200, 429],
      'the rate limit counts the verified requests, all of them',
    );
    assert.equal(answers[5]?.body.error.code, 'rate_limited');
    // Forgeries keep being cheap refusals after the verified bucket is empty, and do not refill it.
    assert.equal((await unsigned(hookd, 'gh')).status, 429);
    await app.waitFor(5);
  }));

test('refusals are counted in memory and written in batches; the API shows the right count and last reason', () =>
  withHookd(
    async (hookd, app) => {
      const store = hookd.hookd.store;
      const writes: number[] = [];
      const record = store.recordSourceRefusals.bind(store);
      store.recordSourceRefusals = async (counts) => {
        writes.push(counts.reduce((n, c) => n + c.count, 0));
        return record(counts);
      };
      await createSource(hookd, { name: 'gh', scheme: 'github', secrets: ['s3cret'], destinations: [{ url: app.url }] });
      const body = '{"action":"opened"}';
      const forged = Array.from({ length: 30 }, () =>
        deliver(hookd, 'gh', body, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
      );
      assert.ok((await Promise.all(forged)).every((a) => a.body.error.code === 'signature_invalid'));
      const last = await unsigned(hookd, 'gh');
      assert.equal(last.body.error.code, 'header_missing');

      const source = await eventually(async () => {
        const s = (await hookd.call('GET', '/v1/sources/gh')).body;
        return s.refusals.count === 31 ? s : undefined;
      });
      assert.equal(source.refusals.lastCode, 'header_missing');
      assert.equal(source.refusals.lastMessage, 'the X-Hub-Signature-256 header is missing');
      assert.equal(
        writes.reduce((a, b) => a + b, 0),
        31,
      );
      assert.ok(writes.length < 31 / 2, `31 refusals took ${writes.length} writes`);
      const metrics = await (await fetch(`${hookd.url}/metrics`)).text();
      assert.match(metrics, /hookd_inbound_refusals_total\{reason="signature_invalid"\} 30/);
    },
    { refusalFlush: '200ms' },
  ));

test('PostgreSQL: refusals still counted in memory are written when hookd stops', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  t.after(() => db.drop());
  const settings = { databaseUrl: db.url, refusalFlush: '1h' };
  await withHookd(async (hookd, app) => {
    await createSource(hookd, { name: 'gh', scheme: 'github', secrets: ['s3cret'], destinations: [{ url: app.url }] });
    for (let i = 0; i < 4; i++) assert.equal((await unsigned(hookd, 'gh')).status, 401);
    assert.equal((await hookd.call('GET', '/v1/sources/gh')).body.refusals.count, 0, 'nothing written before the flush');
  }, settings);
  await withHookd(async (hookd) => {
    const source = (await hookd.call('GET', '/v1/sources/gh')).body;
    assert.equal(source.refusals.count, 4);
    assert.equal(source.refusals.lastCode, 'header_missing');
  }, settings);
});
