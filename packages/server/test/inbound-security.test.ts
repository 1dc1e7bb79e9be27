/**
 * The inbound gateway against forged and hostile traffic, on loopback: replays with a changed unsigned id,
 * credentials and forged signatures among the forwarded headers, and floods of unsigned requests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook as SvixWebhook } from 'svix';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
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
