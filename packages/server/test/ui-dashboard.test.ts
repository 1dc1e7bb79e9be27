/**
 * The dashboard end to end in headless Chromium: sign in, create an endpoint, publish from the API, watch the delivery
 * appear live, open an attempt, retry it, rotate the secret; see why an endpoint fails and retry from its attempts log.
 * HOOKD_SCREENSHOTS=1 saves each screen to docs/screenshots.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { newId } from '../src/domain/index.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { launchChromium, screenshot } from './helpers/ui.js';

let server: TestHookd;
let receiver: Receiver;
/** Answers 500 with a cookie and a request id to a message with data.fail, 200 to others. */
let flaky: Receiver;
let browser: Browser;
let page: Page;
let appId: string;

before(async () => {
  // A window of 4 attempts: one failed delivery (3 attempts) and one success open an `endpoint.failing` episode.
  [server, receiver, flaky, browser] = await Promise.all([
    startTestHookd({ failingWindow: '4' }),
    startReceiver(),
    startReceiver((request) =>
      JSON.parse(request.body).data.fail
        ? { status: 500, body: 'database down', headers: { 'x-request-id': 'r-1', 'set-cookie': 'session=secret' } }
        : { status: 200 },
    ),
    launchChromium(),
  ]);
  appId = (await server.call('POST', '/v1/apps', { name: 'Acme Shop', uid: 'acme' })).body.id;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Generous: CI shares 2 cores between Chromium, hookd and the other test files.
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await flaky?.close();
  await server?.close();
});

test('an anonymous visit lands on the sign-in page, and a wrong token is refused', async () => {
  await page.goto(`${server.url}/ui`);
  assert.equal(new URL(page.url()).pathname, '/ui/sign-in');
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
  await screenshot(page, 'sign-in');
});

test('signing in with the admin token opens the overview', async () => {
  await page.getByLabel('Admin token').fill('test-admin-token-0123456789abcdefghij');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Failing and disabled endpoints' }).waitFor();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'hookd_session');
  assert.ok(session, 'a session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.path, '/ui');
});

test('an endpoint created in the dashboard is listed with its health', async () => {
  await page.getByRole('link', { name: 'Apps' }).click();
  await page.getByRole('link', { name: 'Acme Shop' }).click();
  await page.getByLabel('URL').fill(receiver.url);
  await page.getByLabel('Description').fill('orders service');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByRole('status').filter({ hasText: 'Created.' }).waitFor();
  assert.match((await page.locator('h1').textContent()) ?? '', /Endpoint http:\/\/127\.0\.0\.1/);
  const endpoints = (await server.call('GET', `/v1/apps/${appId}/endpoints`)).body.data;
  assert.equal(endpoints.length, 1);
  assert.equal(endpoints[0].url, receiver.url);
});

test('a message published through the API appears live with its delivery, without reloading', async () => {
  await page.getByRole('link', { name: 'Messages', exact: true }).click();
  await page.getByText('No messages match.').waitFor();
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
  await page.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  const published = await server.call('POST', `/v1/apps/${appId}/events`, { type: 'order.created', data: { id: 7 } });
  assert.equal(published.status, 202);
  await receiver.waitFor(1);
  const row = page.locator('#region-messages tr', { hasText: published.body.id });
  await row.locator('.badge', { hasText: 'succeeded' }).waitFor();
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
  await screenshot(page, 'messages');
});

test('a message shows its delivery and each attempt’s request and response; retrying sends it again', async () => {
  await page.locator('#region-messages a', { hasText: /^msg_/ }).first().click();
  await page.getByRole('heading', { name: 'Message order.created' }).waitFor();
  const attempt = page.locator('details', { hasText: 'Attempt 1' });
  await attempt.locator('summary').click();
  await attempt.getByText('webhook-signature').waitFor();
  const sent = receiver.requests[0]?.body ?? '';
  assert.equal((await page.locator('#payload pre').textContent())?.trim(), sent, 'the payload as the bytes signed and sent');
  assert.doesNotMatch((await attempt.textContent()) ?? '', /"id": ?7/, 'the payload is shown once, not in each attempt');
  assert.match((await attempt.textContent()) ?? '', /Status\s*200/);
  await screenshot(page, 'message');
  await page.getByRole('button', { name: 'Retry now' }).click();
  await page.getByRole('status').filter({ hasText: 'Delivery retried' }).waitFor();
  await receiver.waitFor(2);
  await page.locator('details', { hasText: 'Attempt 2' }).waitFor();
});

test('rotating the secret from the endpoint screen gives a new one', async () => {
  const [endpoint] = (await server.call('GET', `/v1/apps/${appId}/endpoints`)).body.data;
  await page.getByRole('link', { name: 'Acme Shop: endpoints' }).click();
  await screenshot(page, 'app');
  await page.getByRole('link', { name: receiver.url }).click();
  await page.getByText('Signing secret').click();
  assert.equal(((await page.locator('#endpoint-secret').textContent()) ?? '').trim(), endpoint.secret);
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('status').filter({ hasText: 'Secret rotated' }).waitFor();
  const rotated = (await server.call('GET', `/v1/apps/${appId}/endpoints/${endpoint.id}`)).body;
  assert.notEqual(rotated.secret, endpoint.secret);
  await page.getByText('Signing secret').click();
  assert.equal(((await page.locator('#endpoint-secret').textContent()) ?? '').trim(), rotated.secret);
  await screenshot(page, 'endpoint');
});

test('a filter saved on the endpoint screen is tested there, and a message it does not match shows as skipped', async () => {
  await page.locator('#edit-filter').fill('{"data.amount": {"$gt": 100}}');
  await page.locator('form[action$="/edit"]').getByRole('button', { name: 'Save' }).click();
  await page.locator('#endpoint-filter').filter({ hasText: 'data.amount' }).waitFor();
  await page.locator('#test-filter-sample').fill('{"type": "invoice.paid", "data": {"amount": 40}}');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await page.locator('#filter-verdict').filter({ hasText: 'Does not match' }).waitFor();
  assert.match((await page.locator('#filter-verdict').textContent()) ?? '', /filter\.data\.amount/);
  const small = await server.call('POST', `/v1/apps/${appId}/events`, { type: 'invoice.paid', data: { amount: 40 } });
  assert.equal(small.body.skipped, 1);
  await page.goto(`${server.url}/ui/apps/${appId}/messages/${small.body.id}`);
  await page.locator('.badge', { hasText: 'skipped' }).waitFor();
  await page.getByText('Skipped, not sent: filter: did not match').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Retry now' }).count(), 0, 'a skipped delivery offers no retry');
  const [endpoint] = (await server.call('GET', `/v1/apps/${appId}/endpoints`)).body.data;
  await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${endpoint.id}`);
});

test('a transformation that does not compile is refused with 422 beside the form; one saved is tried on a sample', async () => {
  const [endpoint] = (await server.call('GET', `/v1/apps/${appId}/endpoints`)).body.data;
  await page.locator('#edit-transformation').fill('function handler(webhook) {');
  await page.locator('form[action$="/edit"]').getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').filter({ hasText: 'SyntaxError' }).waitFor();
  await page.getByText('Error code transformation_invalid (HTTP 422)').waitFor();
  assert.equal((await server.call('GET', `/v1/apps/${appId}/endpoints/${endpoint.id}`)).body.transformation, null);
  // The refused form still holds what was typed, to fix in place.
  assert.equal(await page.locator('#edit-transformation').inputValue(), 'function handler(webhook) {');
  assert.equal(await page.locator('#edit-url').inputValue(), receiver.url);
  assert.match(await page.locator('#edit-filter').inputValue(), /data\.amount/);

  const code = 'function handler(webhook) { webhook.payload = { text: "paid " + webhook.payload.data.amount }; return webhook; }';
  await page.locator('#edit-transformation').fill(code);
  await page.locator('form[action$="/edit"]').getByLabel('Send trace context (traceparent) with deliveries').check();
  await page.locator('form[action$="/edit"]').getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  const saved = (await server.call('GET', `/v1/apps/${appId}/endpoints/${endpoint.id}`)).body;
  assert.equal(saved.transformation, code);
  assert.equal(saved.sendTraceContext, true);
  assert.equal(
    await page.locator('form[action$="/edit"]').getByLabel('Send trace context (traceparent) with deliveries').isChecked(),
    true,
  );

  assert.equal(await page.locator('#try-transformation-code').inputValue(), code, 'the try form starts from the saved code');
  await page.locator('#try-transformation-sample').fill('{"type": "invoice.paid", "data": {"amount": 150}}');
  await page.getByRole('button', { name: 'Try', exact: true }).click();
  await page.locator('#transformed-body').filter({ hasText: '"text": "paid 150"' }).waitFor();
  assert.equal(((await page.locator('#transformed-method').textContent()) ?? '').trim(), 'POST');
  assert.equal(((await page.locator('#transformed-url').textContent()) ?? '').trim(), receiver.url);
  assert.match((await page.locator('#transformed-headers').textContent()) ?? '', /webhook-signature: v1,/);
  await screenshot(page, 'transformation');

  // Unsaved code that does not compile is reported beside the form that still holds it.
  await page.locator('#try-transformation-code').fill('function handler(webhook) { return webhook');
  await page.getByRole('button', { name: 'Try', exact: true }).click();
  await page.locator('#transformation-outcome[role="alert"]').filter({ hasText: 'transformation_invalid' }).waitFor();
  assert.equal(await page.locator('#try-transformation-code').inputValue(), 'function handler(webhook) { return webhook');
  await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${endpoint.id}`);
});

test('disabling an endpoint puts it at the top of the overview with its reason, and keyboard users can reach it', async () => {
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('status').filter({ hasText: 'Endpoint disabled' }).waitFor();
  await page.getByRole('link', { name: 'Overview' }).click();
  const troubled = page.locator('#region-troubled');
  await troubled.getByText('disabled in the dashboard').waitFor();
  await page.locator('figure.chart').first().waitFor();
  await screenshot(page, 'overview');
  // The first Tab reaches the skip link, which moves focus to the main content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
});

test('the Audit screen lists the changes made in the dashboard, who made them, and the refused sign-in', async () => {
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
  const created = page.getByRole('row').filter({ hasText: 'endpoint.created' }).first();
  await created.waitFor();
  assert.match((await created.textContent()) ?? '', /dashboard/, 'made through a dashboard session');
  assert.match((await created.textContent()) ?? '', /url: — → /, 'with what it set');
  assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /whsec_/, 'no secret on the screen');
  await page.getByRole('row').filter({ hasText: 'session.sign_in_failed' }).first().waitFor();
  await page.getByLabel('action').fill('endpoint.secret_rotated');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('row').filter({ hasText: 'endpoint.secret_rotated' }).first().waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'endpoint.created' }).count(), 0, 'the filter holds');
  await screenshot(page, 'audit');
});

test('the search box finds a message by content, says what is malformed, and pages older and newer', async () => {
  // An app of its own with no endpoint: 60 orders written straight into the store, nothing delivered.
  const shop = (await server.call('POST', '/v1/apps', { name: 'Search Shop' })).body.id;
  await Promise.all(
    Array.from({ length: 60 }, (_, i) => {
      const at = Date.now() - 60_000 + i;
      const payload = JSON.stringify({ type: 'order.created', timestamp: '', data: { order_id: 1200 + i } });
      const message = { id: newId('msg', at), appId: shop, type: 'order.created', payload, idempotencyKey: null, createdAt: at };
      return server.hookd.store.publishMessage({ message, idempotencyWindowMs: 0 });
    }),
  );
  await page.goto(`${server.url}/ui/apps/${shop}/messages`);
  const rows = page.locator('#region-messages tbody tr');
  await page.getByLabel('Content').fill('data.order_id:1234');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/where=data\.order_id%3A1234/);
  assert.equal(await rows.count(), 1);
  await page.getByRole('link', { name: 'Older →' }).waitFor({ state: 'detached' });

  await page.getByLabel('Content').fill('data.order_id');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('alert').filter({ hasText: 'invalid_search' }).waitFor();
  assert.equal(await page.getByLabel('Content').inputValue(), 'data.order_id', 'what was typed is kept');

  await page.getByLabel('Content').fill('');
  await page.getByLabel('Event type').fill('order.created');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/type=order\.created/);
  assert.equal(await rows.count(), 50);
  const newest = await rows.first().textContent();
  assert.equal(await page.getByRole('link', { name: '← Newer' }).count(), 0, 'nothing newer than the first page');
  await page.getByRole('link', { name: 'Older →' }).click();
  await page.waitForURL(/after=/);
  assert.equal(await rows.count(), 10);
  await page.getByRole('link', { name: '← Newer' }).click();
  await page.waitForURL(/before=/);
  assert.equal(await rows.count(), 50);
  assert.equal(await rows.first().textContent(), newest, 'back on the first page');
  assert.equal(await page.getByRole('link', { name: '← Newer' }).count(), 0);
  assert.equal(await page.getByLabel('Event type').inputValue(), 'order.created', 'the criteria are kept while paging');
  await screenshot(page, 'messages-search');
});

/** A port nothing listens on: attempts there fail at once with connection_refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let flakyPage = '';

test('a failing endpoint shows its last error and error mix; one over the endpoint.failing threshold shows as failing', async () => {
  const billing = (await server.call('POST', '/v1/apps', { name: 'Billing', uid: 'billing' })).body.id;
  const endpoint = async (url: string, events: string[]) =>
    (await server.call('POST', `/v1/apps/${billing}/endpoints`, { url, events })).body.id as string;
  const refused = await endpoint(`http://127.0.0.1:${await closedPort()}/hook`, ['refused.*']);
  const flakyId = await endpoint(flaky.url, ['order.*']);
  flakyPage = `${server.url}/ui/apps/${billing}/endpoints/${flakyId}`;
  const settled = async (messageId: string) =>
    eventually(async () => {
      const { body } = await server.call('GET', `/v1/apps/${billing}/events/${messageId}/deliveries`);
      return body.data[0]?.status !== 'pending' ? body.data[0] : undefined;
    }, 10_000);
  const publish = async (type: string, data: unknown) =>
    settled((await server.call('POST', `/v1/apps/${billing}/events`, { type, data })).body.id);
  await publish('refused.test', {});
  await publish('order.created', { fail: true });
  await publish('order.created', { n: 1 });
  // Its latest attempt succeeded: no run of failures, but 3 of its latest 4 attempts failed.
  assert.equal((await server.hookd.opsMonitor?.check())?.failing, 1);

  await page.goto(`${server.url}/ui`);
  const row = page.locator('#region-troubled tr', { hasText: flaky.url });
  await row.locator('.badge', { hasText: 'failing' }).waitFor();
  assert.match((await row.textContent()) ?? '', /endpoint\.failing[\s\S]*http_status 500 HTTP 500[\s\S]*database down/);
  assert.match((await row.textContent()) ?? '', /Last hour: http_status 500 ×3/);
  const refusedRow = page.locator('#region-troubled tr', { hasText: 'connection_refused' });
  assert.match((await refusedRow.textContent()) ?? '', /every attempt failed since/);

  await page.goto(flakyPage);
  await page.locator('#endpoint-state .badge', { hasText: 'failing' }).waitFor();
  assert.match((await page.locator('#last-error').textContent()) ?? '', /http_status 500 HTTP 500\s+database down/);
  assert.match((await page.locator('#error-mix').textContent()) ?? '', /http_status 500 ×3/);
  await screenshot(page, 'endpoint-failing');

  await page.goto(`${server.url}/ui/apps/${billing}/endpoints/${refused}`);
  const hour = page.locator('#region-health .card').first();
  assert.match((await hour.textContent()) ?? '', /3 attempts, none answered: connection_refused ×3/);
  assert.doesNotMatch((await page.locator('#region-health').textContent()) ?? '', /p50 —/);
});

test('the attempts log filters by outcome, shows response headers, and retries every failed delivery shown', async () => {
  await page.goto(flakyPage);
  await page.getByRole('link', { name: 'Attempts log' }).click();
  await page.getByLabel('Outcome').selectOption('failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('#region-attempts details').nth(2).waitFor();
  assert.equal(await page.locator('#region-attempts details').count(), 3, 'the success is filtered out');
  const newest = page.locator('#region-attempts details').first();
  await newest.locator('summary').click();
  const headers = (await newest.locator('pre.response-headers').textContent()) ?? '';
  assert.match(headers, /x-request-id: r-1/);
  assert.doesNotMatch(headers, /set-cookie/, 'cookies are never kept');
  await screenshot(page, 'attempts');

  const before = flaky.requests.length;
  const [dialog] = await Promise.all([
    page.waitForEvent('dialog'),
    page.getByRole('button', { name: 'Retry every failed delivery shown (1)' }).click(),
  ]);
  assert.match(dialog.message(), /Retry the 1 failed deliveries shown/);
  await page.getByRole('status').filter({ hasText: 'Failed deliveries queued for retry: 1.' }).waitFor();
  assert.equal(await page.getByLabel('Outcome').inputValue(), 'failed', 'the filter is kept');
  await flaky.waitFor(before + 1);
});

// The layout at 390 px is checked screen by screen in ui-screens.test.ts; here, the two pages only this file makes.
test('pause holds deliveries and resume sends them; enable offers to replay what disabling failed, with the count', async () => {
  const held = await startReceiver();
  try {
    // Made paused from the dashboard's add form.
    await page.goto(`${server.url}/ui/apps/${appId}`);
    await page.locator('#new-url').fill(held.url);
    await page.locator('#new-events').fill('held.*');
    await page.getByLabel('Create it paused').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('status').filter({ hasText: 'Created.' }).waitFor();
    const endpointId = new URL(page.url()).pathname.split('/').pop() as string;
    assert.equal((await server.call('GET', `/v1/apps/${appId}/endpoints/${endpointId}`)).body.paused, true);
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await server.call('POST', `/v1/apps/${appId}/events`, { type: 'held.item', data: { i } });
    };
    await publish(3);
    await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${endpointId}`);
    const state = page.locator('#endpoint-state');
    await state.locator('.badge', { hasText: 'paused' }).waitFor();
    await page.getByText('3 pending').waitFor();
    await server.idle();
    assert.equal(held.requests.length, 0, 'nothing sent while paused');
    await screenshot(page, 'endpoint-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').filter({ hasText: 'Endpoint resumed' }).waitFor();
    await held.waitFor(3);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Endpoint paused' }).waitFor();
    await publish(2);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'Endpoint disabled' }).waitFor();
    const replay = page.getByLabel('Replay the 2 deliveries that failed while it was disabled');
    assert.equal(await replay.isChecked(), true, 'offered, checked');
    await screenshot(page, 'endpoint-enable-replay');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: '2 queued again' }).waitFor();
    // Enabling leaves the pause as it was: the replayed deliveries are held until resumed.
    await state.locator('.badge', { hasText: 'paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await held.waitFor(5);
    await server.idle();
    assert.equal(held.requests.length, 5);
  } finally {
    await held.close();
  }
});

test('at 390 px wide the failing endpoint and its attempts log need no sideways scrolling', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of [flakyPage, `${flakyPage}/attempts`]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} overflows by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('the list of apps', async () => {
  await page.goto(`${server.url}/ui/apps`);
  await page.getByRole('link', { name: 'Acme Shop' }).waitFor();
  await screenshot(page, 'apps');
});

test('the recover form counts the failed deliveries it matches before starting, then shows the job’s progress', async () => {
  const down = (await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/down', events: ['recover.*'] }))
    .body;
  for (const n of [1, 2]) await server.call('POST', '/v1/apps/acme/events', { type: 'recover.test', data: { n } });
  await eventually(
    async () => {
      const failed = await server.call('GET', `/v1/apps/acme/deliveries?status=failed&endpoint=${down.id}`);
      return failed.body.data.length === 2 ? true : undefined;
    },
    20_000,
    'two failed deliveries',
  );
  await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${down.id}`);
  await page.getByRole('link', { name: /Recover failed deliveries/ }).click();
  await page.getByLabel('Last error').selectOption('connection_refused');
  await page.getByRole('button', { name: 'Count matching deliveries' }).click();
  await page.getByRole('heading', { name: '2 failed deliveries match' }).waitFor();
  await screenshot(page, 'recover');
  await page.getByRole('button', { name: 'Recover 2 deliveries' }).click();
  await page.locator('#recovery-count').filter({ hasText: '2 of 2 re-queued' }).waitFor();
  await page.locator('#recovery-state').filter({ hasText: 'completed' }).waitFor();
  // Live: the deliveries fail again at the same closed port, and the page says so without a reload.
  await page.locator('#recovery-outcome').filter({ hasText: '2 failed again' }).waitFor();
  await screenshot(page, 'recovery');
});
