/**
 * The dashboard end to end in headless Chromium: sign in, create an endpoint, publish from the API, watch the delivery
 * appear live, open an attempt, retry it, rotate the secret. HOOKD_SCREENSHOTS=1 saves each screen to docs/screenshots.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { launchChromium, screenshot } from './helpers/ui.js';

let server: TestHookd;
let receiver: Receiver;
let browser: Browser;
let page: Page;
let appId: string;

before(async () => {
  [server, receiver, browser] = await Promise.all([startTestHookd(), startReceiver(), launchChromium()]);
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
  assert.match((await attempt.textContent()) ?? '', /"id": 7/);
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
  await page.locator('svg.chart').first().waitFor();
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

test('pause holds deliveries and resume sends them; enable offers to replay what disabling failed, with the count', async () => {
  const held = await startReceiver();
  try {
    const created = await server.call('POST', `/v1/apps/${appId}/endpoints`, { url: held.url, events: ['held.*'], paused: true });
    assert.equal(created.body.paused, true);
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await server.call('POST', `/v1/apps/${appId}/events`, { type: 'held.item', data: { i } });
    };
    await publish(3);
    await page.goto(`${server.url}/ui/apps/${appId}/endpoints/${created.body.id}`);
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

test('at 390 px wide the pages need no sideways scrolling', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/ui', `/ui/apps/${appId}`, `/ui/apps/${appId}/messages`, '/ui/audit']) {
    await page.goto(server.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} overflows by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/ui/apps`);
  await screenshot(page, 'apps');
});
