/**
 * The screens asked for in issue 20: Sources and Event types, test events to one endpoint, no dead ends (replay on a
 * disabled endpoint, a portal customer signing out), an embeddable and branded portal, and feedback (counts, a
 * confirmation, UTC, a previous page). One hookd and one Chromium for the whole file; the portal may be framed by
 * https://shop.example.com, so portal cookies here are SameSite=None; Secure; Partitioned.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { csrfOf, launchChromium, postForm, screenshot, signIn } from './helpers/ui.js';

const TOKEN = 'test-admin-token-0123456789abcdefghij';
const FRAMER = 'https://shop.example.com';
let server: TestHookd;
let browser: Browser;
let receiver: Receiver;
let admin: BrowserContext;
let appId: string;
/** Two endpoints subscribed to order.created at the receiver; a third at a closed port, which fails. */
let first: string;
let second: string;
let failing: string;

const call = async (method: string, path: string, body?: unknown) => {
  const answer = await server.call(method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

async function adminPage(): Promise<Page> {
  const page = await admin.newPage();
  return page;
}

async function portalPage(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const { url } = await call('POST', `/v1/apps/${appId}/portal-link`, { expiresIn: '1h' });
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

before(async () => {
  [server, browser, receiver] = await Promise.all([
    startTestHookd({ portalFrameAncestors: FRAMER, refusalFlush: '50ms' }),
    launchChromium(),
    startReceiver(),
  ]);
  appId = (await call('POST', '/v1/apps', { name: 'Shop' })).id;
  const endpoint = async (url: string) =>
    (await call('POST', `/v1/apps/${appId}/endpoints`, { url, events: ['order.created'] })).id;
  first = await endpoint(`${receiver.url}/first`);
  second = await endpoint(`${receiver.url}/second`);
  failing = await endpoint('http://127.0.0.1:9/closed');
  admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  admin.setDefaultTimeout(20_000);
  const { cookie } = await signIn(server.url, TOKEN);
  const [name, value] = cookie.split('=') as [string, string];
  await admin.addCookies([{ name, value, url: server.url }]);
});

after(async () => {
  await admin?.close();
  await browser?.close();
  await receiver?.close();
  await server?.close();
});

test('the Sources screen shows the ingest URL, the scheme and a refused request with its reason', async () => {
  const secret = 'github-secret-for-the-screen';
  const source = await call('POST', '/v1/sources', {
    name: 'github-screen',
    scheme: 'github',
    secrets: [secret],
    destinations: [{ url: `${receiver.url}/inbound` }],
  });
  const forged = await fetch(`${server.url}/in/github-screen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' },
    body: '{"forged":true}',
  });
  assert.equal(forged.status, 401);
  // Refusals are written in batches (every 50 ms here): the API lists it once written.
  const refusals = await (async () => {
    for (let i = 0; i < 100; i++) {
      const { body } = await server.call('GET', `/v1/sources/${source.id}/refusals`);
      if (body.data.length > 0) return body.data;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the refusal was never written');
  })();
  assert.equal(refusals[0].code, 'signature_invalid');

  const page = await adminPage();
  await page.goto(`${server.url}/ui/sources`);
  await page.getByRole('link', { name: 'github-screen' }).click();
  await page.getByRole('heading', { name: 'Source github-screen' }).waitFor();
  assert.equal(await page.locator('#ingest-url').textContent(), `${server.url}/in/github-screen`);
  await page.getByRole('button', { name: 'Copy' }).waitFor();
  assert.equal(await page.locator('#source-scheme').textContent(), 'github');
  const row = page.locator('#source-refusals tbody tr').first();
  await row.getByText('signature_invalid').waitFor();
  assert.match((await row.textContent()) ?? '', /UTC.*signature_invalid.*\S/s);
  await page.getByRole('link', { name: `${receiver.url}/inbound` }).waitFor();
  await screenshot(page, 'sources');
  await page.close();
});

test('the Event types screen shows schemas and examples, and the endpoint form picks from them', async () => {
  await call('POST', '/v1/event-types', {
    name: 'invoice.paid',
    description: 'An invoice was paid in full.',
    schema: { type: 'object', properties: { invoice: { type: 'string', examples: ['inv_42'] }, cents: { type: 'integer' } } },
  });
  const page = await adminPage();
  await page.goto(`${server.url}/ui/event-types`);
  const card = page.locator('section.event-type').filter({ hasText: 'invoice.paid' });
  await card.getByText('An invoice was paid in full.').waitFor();
  await card.getByText('Example', { exact: true }).click();
  await card.locator('pre').filter({ hasText: '"invoice": "inv_42"' }).waitFor();
  await screenshot(page, 'event-types');

  await page.goto(`${server.url}/ui/apps/${appId}`);
  await page.locator('#new-url').fill(`${receiver.url}/picked`);
  await page.locator('#new-picker').getByLabel('invoice.paid').check();
  await page.locator('#new-events').fill('refund.*');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByRole('status').filter({ hasText: 'Created.' }).waitFor();
  const { data } = await call('GET', `/v1/apps/${appId}/endpoints?limit=100`);
  const picked = data.find((ep: { url: string }) => ep.url === `${receiver.url}/picked`);
  assert.deepEqual(picked.events, ['invoice.paid', 'refund.*'], 'the ticked type and the typed filter');
  assert.ok(await page.locator('#edit-picker').getByLabel('invoice.paid').isChecked(), 'the edit form shows it ticked');
  await call('DELETE', `/v1/apps/${appId}/endpoints/${picked.id}`);
  await page.close();
});

/** Sends a test event from the app page to `endpointUrl`; answers the message id from the page it lands on. */
async function sendTest(page: Page, endpointUrl: string): Promise<string> {
  await page.getByLabel('Endpoint', { exact: true }).selectOption({ label: endpointUrl });
  await page.getByLabel('Event type', { exact: true }).fill('order.created');
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByRole('status').filter({ hasText: 'and to no other' }).waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
}

test('a test event from the dashboard or the portal reaches the chosen endpoint only, marked as a test', async () => {
  const page = await adminPage();
  await page.goto(`${server.url}/ui/apps/${appId}`);
  const fromDashboard = await sendTest(page, `${receiver.url}/second`);
  await page.locator('dd').getByText('test', { exact: true }).waitFor();
  const { context, page: portal } = await portalPage();
  const fromPortal = await sendTest(portal, `${receiver.url}/first`);
  await context.close();

  await receiver.waitFor(2);
  await server.idle();
  const got = receiver.requests.map((r) => [r.path.split('/').at(-1), JSON.parse(r.body).test, r.headers['webhook-id']]);
  assert.deepEqual(
    got.sort(),
    [
      ['first', true, fromPortal],
      ['second', true, fromDashboard],
    ].sort(),
    'one request each, to the endpoint chosen, none to the other subscribed endpoint',
  );
  const deliveries = (await call('GET', `/v1/apps/${appId}/events/${fromDashboard}/deliveries`)).data;
  assert.deepEqual(
    deliveries.map((d: { endpointId: string }) => d.endpointId),
    [second],
  );
  assert.equal((await call('GET', `/v1/apps/${appId}/events/${fromDashboard}`)).test, true);
  await page.goto(`${server.url}/ui/apps/${appId}/messages`);
  await page.locator('tr').filter({ hasText: fromDashboard }).getByText('test', { exact: true }).waitFor();

  // The API route behind both, and its refusal of a disabled endpoint.
  const answer = await server.call('POST', `/v1/apps/${appId}/endpoints/${first}/test`, { data: { n: 1 } });
  assert.equal(answer.status, 202);
  assert.equal(answer.body.test, true);
  await receiver.waitFor(3);
  await server.idle();
  assert.equal(receiver.requests.length, 3);
  assert.equal(receiver.requests[2]?.path.split('/').at(-1), 'first');
  receiver.requests.length = 0;
  await page.close();
});

test('replay on a disabled endpoint is not offered, and a refused replay shows beside its form in the page', async () => {
  const sent = [
    await call('POST', `/v1/apps/${appId}/events`, { type: 'order.created', data: { n: 1 } }),
    await call('POST', `/v1/apps/${appId}/events`, { type: 'order.created', data: { n: 2 } }),
  ];
  // Each fails at the closed port after its retries (50 ms apart here).
  await eventually(async () => {
    const statuses = await Promise.all(
      sent.map(async (m) =>
        (await call('GET', `/v1/apps/${appId}/events/${m.id}/deliveries`)).data.map((d: { status: string }) => d.status),
      ),
    );
    return statuses.flat().includes('pending') ? undefined : true;
  }, 10_000);
  const page = await adminPage();
  // Feedback: the replay says how many deliveries it queued.
  await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${failing}`);
  await page.getByRole('button', { name: 'Replay failed' }).click();
  await page.getByRole('status').filter({ hasText: 'Replayed: 2 deliveries queued.' }).waitFor();
  await server.idle();
  receiver.requests.length = 0;

  await call('PATCH', `/v1/apps/${appId}/endpoints/${failing}`, { disabled: true });
  await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${failing}`);
  await page.locator('#replay-disabled').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Replay failed' }).count(), 0);
  // A form still open from before the endpoint was disabled: the error shows next to it, navigation kept.
  const { cookie } = await signIn(server.url, TOKEN);
  const csrf = await csrfOf(server.url, cookie, `/ui/apps/${appId}`);
  const answer = await postForm(server.url, `/ui/apps/${appId}/endpoints/${failing}/replay`, cookie, {
    _csrf: csrf,
    since: '2020-01-01T00:00',
  });
  assert.equal(answer.status, 409);
  const html = await answer.text();
  assert.match(
    html,
    /<h2 id="replay">Replay failed deliveries<\/h2>\s*<div class="notice error" role="alert" id="replay-error">/,
  );
  assert.match(html, /endpoint_disabled/);
  assert.match(html, /<nav aria-label="Main">.*Messages/s, 'the app’s navigation is kept');
  await page.close();
});

test('retrying a delivered message asks first; times say UTC; messages page back with Previous', async () => {
  await call('POST', `/v1/apps/${appId}/endpoints/${first}/test`, {});
  await server.idle();
  const message = (await call('GET', `/v1/apps/${appId}/events?limit=1`)).data[0].id;
  const page = await adminPage();
  await page.goto(`${server.url}/ui/apps/${appId}/messages/${message}`);
  assert.match((await page.locator('time').first().textContent()) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  const asked: string[] = [];
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: 'Retry now' }).click();
  await page.waitForFunction(() => true);
  assert.match(asked[0] ?? '', /This delivery succeeded\. Send it again/);
  await server.idle();
  assert.equal((await call('GET', `/v1/apps/${appId}/events/${message}/deliveries`)).data[0].attemptCount, 1, 'not sent again');

  // 51 messages or more: two pages of 50.
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => call('POST', `/v1/apps/${appId}/events`, { type: 'page.filler', data: { i } })),
  );
  await page.goto(`${server.url}/ui/apps/${appId}/messages`);
  await page.getByRole('link', { name: 'Older →' }).click();
  await page.waitForURL(/after=/);
  // The messages screen's previous page is the newer one.
  await page.getByRole('link', { name: '← Newer' }).click();
  await page.waitForURL(/before=/);
  await page.getByRole('link', { name: 'Older →' }).waitFor();
  assert.equal(await page.getByRole('link', { name: '← Newer' }).count(), 0, 'back on the first page');
  await page.close();
});

test('the portal may be framed by the configured site, shows the app’s branding, and a hostile colour is refused', async () => {
  const hostile = await server.call('PATCH', `/v1/apps/${appId}`, {
    portalBranding: { name: 'Shop', accentColor: 'red;} body{display:none' },
  });
  assert.equal(hostile.status, 400);
  const javascript = await server.call('PATCH', `/v1/apps/${appId}`, {
    portalBranding: { name: 'Shop', logoUrl: 'javascript:alert(1)' },
  });
  assert.equal(javascript.status, 400);
  await call('PATCH', `/v1/apps/${appId}`, {
    portalBranding: { name: 'Shop Payments', logoUrl: 'https://cdn.shop.example.com/logo.svg', accentColor: '#0a7c59' },
  });

  const { url } = await call('POST', `/v1/apps/${appId}/portal-link`, { expiresIn: '1h' });
  const opened = await fetch(url, { redirect: 'manual' });
  const cookies = opened.headers.getSetCookie();
  assert.ok(
    cookies.some((c) => /^hookd_session=.*; HttpOnly; SameSite=None; Secure; Partitioned$/.test(c)),
    cookies.join(' | '),
  );
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  const portal = await fetch(`${server.url}/ui/apps/${appId}`, { headers: { cookie } });
  const csp = portal.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors https:\/\/shop\.example\.com(;|$)/);
  assert.match(csp, /img-src 'self' data: https:\/\/cdn\.shop\.example\.com;/);
  const body = await portal.text();
  assert.match(body, /<title>Shop: endpoints · Shop Payments<\/title>/);
  assert.match(body, /<img class="logo" src="https:\/\/cdn\.shop\.example\.com\/logo\.svg"/);
  const css = await (await fetch(`${server.url}/ui/brand/${appId}.css`)).text();
  assert.match(css, /--accent: #0a7c59;/);
  // The admin's pages are never framed.
  const adminPageAnswer = await fetch(`${server.url}/ui/apps/${appId}`, {
    headers: { cookie: (await signIn(server.url, TOKEN)).cookie },
  });
  assert.match(adminPageAnswer.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.doesNotMatch(await adminPageAnswer.text(), /Shop Payments/);
});

test('a portal customer who signs out lands on a portal page that says how to get back, never the admin sign-in', async () => {
  const { context, page } = await portalPage();
  try {
    await page.getByRole('heading', { name: 'Shop: endpoints' }).waitFor();
    await screenshot(page, 'portal-branded');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You signed out' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/ui/portal/ended');
    await page.getByText('go back to Shop Payments').waitFor();
    assert.equal(await page.getByLabel('Admin token').count(), 0);
    // A page of the portal opened after signing out also lands there.
    await page.goto(`${server.url}/ui/apps/${appId}/messages`);
    await page.getByRole('heading', { name: 'Your portal session ended' }).waitFor();
    await screenshot(page, 'portal-ended');
  } finally {
    await context.close();
  }
});
