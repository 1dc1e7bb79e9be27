/**
 * `hookd send` and `hookd trigger` run as a user runs them: what they POST passes the SDK's verifiers and the
 * providers' own libraries, and their exit codes tell a script what happened.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { generateSecret, verify } from '@hookd/sdk';
import { verify as verifyGitHubSignature } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { runCli } from './helpers/cli.js';
import { startReceiver } from './helpers/receiver.js';

/** The start of an ANSI colour sequence: none may appear when NO_COLOR is set. */
const ESC = String.fromCharCode(27);

const TIMEOUT = 60_000;

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

test('send: a Standard Webhooks POST that standardwebhooks, svix and the SDK verify; exit 0', { timeout: TIMEOUT }, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200, body: '{"ok":true}' }));
  t.after(() => receiver.close());
  const secret = generateSecret();
  const run = await runCli(
    ['send', receiver.url, '--type', 'payment.completed', '--data', '{"order":1234,"amount":4200}', '--secret', secret],
    {
      env: { NO_COLOR: '1' },
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /← 200 OK {2}in \d+ ms/);
  assert.match(run.stdout, /"ok": true/);
  assert.ok(!run.stdout.includes(ESC), 'NO_COLOR: no escape codes');

  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const headers = flat(request.headers);
  const body = JSON.parse(request.body);
  assert.equal(body.type, 'payment.completed');
  assert.deepEqual(body.data, { order: 1234, amount: 4200 });
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
  assert.deepEqual(new StandardWebhook(secret).verify(request.body, headers), body);
  const svixHeaders = {
    'svix-id': headers['webhook-id'],
    'svix-timestamp': headers['webhook-timestamp'],
    'svix-signature': headers['webhook-signature'],
  };
  assert.deepEqual(new SvixWebhook(secret).verify(request.body, svixHeaders as Record<string, string>), body);
  assert.deepEqual(verify('standard', { body: request.body, headers, secrets: secret }).scheme, 'standard');
});

test('send --scheme hmac-sha256-hex --data @-: X-Webhook-Signature verifies; --json prints the answer', {
  timeout: TIMEOUT,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 202, body: 'queued' }));
  t.after(() => receiver.close());
  const run = await runCli(
    [
      'send',
      receiver.url,
      '--type',
      'order.created',
      '--data',
      '@-',
      '--secret',
      'plain-secret',
      '--scheme',
      'hmac-sha256-hex',
      '--json',
    ],
    { input: '{"order": 7}' },
  );
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout);
  assert.equal(printed.response.status, 202);
  assert.equal(printed.response.ok, true);
  assert.equal(printed.response.body, 'queued');
  assert.equal(typeof printed.response.durationMs, 'number');
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const headers = flat(request.headers);
  assert.equal(headers['x-webhook-event'], 'order.created');
  assert.match(headers['x-webhook-delivery'] ?? '', /^dlv_/);
  const expected = `sha256=${createHmac('sha256', 'plain-secret').update(request.body).digest('hex')}`;
  assert.equal(headers['x-webhook-signature'], expected);
  verify('hmac-sha256-hex', { body: request.body, headers, secrets: 'plain-secret' });
  assert.deepEqual(JSON.parse(request.body).data, { order: 7 });
});

test('send: exit 2 on a non-2xx answer, 3 when nothing listens, 1 on bad input, with what to do', {
  timeout: TIMEOUT,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 500, body: 'boom' }));
  t.after(() => receiver.close());
  const secret = generateSecret();
  const refused = await runCli(['send', receiver.url, '--type', 'a.b', '--secret', secret], { env: { NO_COLOR: '1' } });
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /← 500/);

  await receiver.close();
  const unreachable = await runCli(['send', receiver.url, '--type', 'a.b', '--secret', secret]);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot reach .*ECONNREFUSED/);
  assert.match(unreachable.stderr, /is the receiver running/);

  const badJson = await runCli(['send', receiver.url, '--type', 'a.b', '--secret', secret, '--data', '{nope']);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stderr, /--data is not JSON/);
  const missing = await runCli(['send', receiver.url, '--type', 'a.b']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--secret/);
  const badUrl = await runCli(['send', 'not-a-url', '--type', 'a.b', '--secret', secret]);
  assert.equal(badUrl.code, 1);
});

test('colour: on with FORCE_COLOR, off again with NO_COLOR', { timeout: TIMEOUT }, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(() => receiver.close());
  const secret = generateSecret();
  const coloured = await runCli(['send', receiver.url, '--type', 'a.b', '--secret', secret], { env: { FORCE_COLOR: '1' } });
  assert.ok(coloured.stdout.includes(`${ESC}[32m200`));
  const plain = await runCli(['send', receiver.url, '--type', 'a.b', '--secret', secret], {
    env: { FORCE_COLOR: '1', NO_COLOR: '1' },
  });
  assert.ok(!plain.stdout.includes(ESC));
});

test('trigger payment_intent.succeeded passes stripe.webhooks.constructEvent and the SDK', { timeout: TIMEOUT }, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(() => receiver.close());
  const secret = 'whsec_test_5f7b2c0c1d9e4a8b6f3e2d1c0b9a8f7e';
  const run = await runCli(['trigger', 'payment_intent.succeeded', '--to', receiver.url, '--secret', secret]);
  assert.equal(run.code, 0, run.stderr);
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const headers = flat(request.headers);
  assert.match(headers['stripe-signature'] ?? '', /^t=\d+,v1=[0-9a-f]{64}$/);
  const event = new Stripe('sk_test_x').webhooks.constructEvent(request.body, headers['stripe-signature'] as string, secret);
  assert.equal(event.type, 'payment_intent.succeeded');
  assert.match(event.id, /^evt_/);
  const intent = event.data.object as { object: string; status: string; amount_received: number };
  assert.deepEqual([intent.object, intent.status, intent.amount_received], ['payment_intent', 'succeeded', 2000]);
  verify('stripe', { body: request.body, headers, secrets: secret });
  assert.throws(() =>
    new Stripe('sk_test_x').webhooks.constructEvent(request.body, headers['stripe-signature'] as string, 'whsec_other'),
  );
});

test('trigger push and pull_request pass @octokit/webhooks-methods, with GitHub’s headers', { timeout: TIMEOUT }, async (t) => {
  const receiver = await startReceiver(() => ({ status: 204 }));
  t.after(() => receiver.close());
  const secret = 'github-hook-secret';
  for (const event of ['push', 'pull_request']) {
    const run = await runCli(['trigger', event, '--to', receiver.url, '--secret', secret]);
    assert.equal(run.code, 0, run.stderr);
  }
  const [push, pr] = await receiver.waitFor(2);
  assert.ok(push && pr);
  for (const [request, event] of [
    [push, 'push'],
    [pr, 'pull_request'],
  ] as const) {
    const headers = flat(request.headers);
    assert.equal(headers['x-github-event'], event);
    assert.match(headers['x-github-delivery'] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(await verifyGitHubSignature(secret, request.body, headers['x-hub-signature-256'] as string), true);
    assert.equal(await verifyGitHubSignature('another', request.body, headers['x-hub-signature-256'] as string), false);
    verify('github', { body: request.body, headers, secrets: secret });
  }
  assert.equal(JSON.parse(push.body).ref, 'refs/heads/main');
  assert.equal(JSON.parse(pr.body).action, 'opened');
});

test('trigger orders/create: X-Shopify-Hmac-Sha256 as Shopify documents it, topic and webhook id', {
  timeout: TIMEOUT,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(() => receiver.close());
  const secret = 'shpss_0123456789abcdef';
  const run = await runCli(['trigger', 'orders/create', '--to', receiver.url, '--secret', secret, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).response.status, 200);
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const headers = flat(request.headers);
  // Shopify's documented check: base64 of the HMAC-SHA256 of the raw body, keyed with the app's client secret.
  assert.equal(headers['x-shopify-hmac-sha256'], createHmac('sha256', secret).update(request.body, 'utf8').digest('base64'));
  assert.equal(headers['x-shopify-topic'], 'orders/create');
  assert.ok(headers['x-shopify-webhook-id']);
  assert.ok(headers['x-shopify-shop-domain']);
  verify('shopify', { body: request.body, headers, secrets: secret });
  assert.equal(JSON.parse(request.body).line_items.length, 2);
});

test('trigger user.created: a Standard Webhooks sample the standardwebhooks library verifies', {
  timeout: TIMEOUT,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(() => receiver.close());
  const secret = generateSecret();
  const run = await runCli(['trigger', 'user.created', '--to', receiver.url, '--secret', secret]);
  assert.equal(run.code, 0, run.stderr);
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const payload = new StandardWebhook(secret).verify(request.body, flat(request.headers)) as {
    type: string;
    data: { email: string };
  };
  assert.equal(payload.type, 'user.created');
  assert.equal(payload.data.email, 'ada@example.com');
});

test('trigger: --list, unknown events, missing flags, --help with an example', { timeout: TIMEOUT }, async () => {
  const list = await runCli(['trigger', '--list', '--json']);
  assert.equal(list.code, 0);
  const events = (JSON.parse(list.stdout) as { event: string; provider: string }[]).map((s) => `${s.provider}:${s.event}`);
  for (const wanted of [
    'stripe:payment_intent.succeeded',
    'github:push',
    'github:pull_request',
    'shopify:orders/create',
    'standard:user.created',
  ]) {
    assert.ok(events.includes(wanted), wanted);
  }
  const unknown = await runCli(['trigger', 'charge.nope', '--to', 'http://127.0.0.1:9/x', '--secret', 's']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no sample of "charge.nope"/);
  assert.match(unknown.stderr, /payment_intent.succeeded/);
  const noSecret = await runCli(['trigger', 'push', '--to', 'http://127.0.0.1:9/x']);
  assert.equal(noSecret.code, 1);
  assert.match(noSecret.stderr, /--secret is required/);
  for (const command of ['send', 'trigger', 'listen', 'replay']) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}hookd /, command);
  }
});

test('the README documents every developer command and exactly the exit codes they use', async () => {
  const { readFileSync } = await import('node:fs');
  const { EXIT } = await import('../src/cli/output.js');
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## Developer tools\n')[1]?.split('\n## ')[0] ?? '';
  for (const command of ['listen', 'send', 'trigger', 'tail', 'replay'])
    assert.match(section, new RegExp(`\\n(hookd ${command} |\\*\\*\`hookd ${command}\`)`), command);
  assert.match(section, /NO_COLOR/);
  const codes = [...section.matchAll(/^\| (\d) +\|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(codes, Object.values(EXIT));
});

test('trigger --set changes the sample before it is signed: JSON values, text otherwise, new objects on the way', {
  timeout: TIMEOUT,
}, async (t) => {
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(() => receiver.close());
  const secret = generateSecret();
  const run = await runCli([
    'trigger',
    'invoice.paid',
    '--to',
    receiver.url,
    '--secret',
    secret,
    '--set',
    'data.amount=5000',
    '--set',
    'data.currency=USD',
    '--set',
    'data.meta.paid=true',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  const body = new StandardWebhook(secret).verify(request.body, flat(request.headers)) as {
    data: { amount: unknown; currency: unknown; meta: unknown };
  };
  assert.equal(body.data.amount, 5000);
  assert.equal(body.data.currency, 'USD');
  assert.deepEqual(body.data.meta, { paid: true });

  const bad = await runCli(['trigger', 'invoice.paid', '--to', receiver.url, '--secret', secret, '--set', 'nothing']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--set "nothing" is not path=value/);
  const missing = await runCli(['trigger', '--fixture', '/nonexistent/event.json', '--to', receiver.url, '--secret', secret]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the fixture/);
});
