/**
 * The app portal and the dashboard's guards: a portal link opens one app only and stops at its expiry; sessions are
 * HttpOnly, SameSite=Strict cookies; every action without this session's CSRF token is refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHookdClient } from '@hookd/sdk';
import type { Browser } from 'playwright-core';
import { startTestHookd, type TestHookd } from './helpers/hookd.js';
import { csrfOf, launchChromium, postForm, screenshot, signIn } from './helpers/ui.js';

let server: TestHookd;
let browser: Browser;
/** Added to the real time: the test moves hookd's clock past a link's expiry. */
let offsetMs = 0;
let mine: { id: string; endpoint: string; message: string };
let theirs: { id: string; endpoint: string; message: string };

async function seedApp(name: string) {
  const id = (await server.call('POST', '/v1/apps', { name })).body.id;
  const endpoint = (await server.call('POST', `/v1/apps/${id}/endpoints`, { url: `http://127.0.0.1:9/${name}` })).body.id;
  const message = (await server.call('POST', `/v1/apps/${id}/events`, { type: 'invoice.paid', data: { app: name } })).body.id;
  return { id, endpoint, message };
}

before(async () => {
  [server, browser] = await Promise.all([startTestHookd({}, { clock: () => Date.now() + offsetMs }), launchChromium()]);
  mine = await seedApp('Mine');
  theirs = await seedApp('Theirs');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('POST /v1/apps/{app}/portal-link answers a signed URL and its expiry, within bounds', async () => {
  const answer = await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '30m' });
  assert.equal(answer.status, 201);
  assert.match(answer.body.url, /^http:\/\/127\.0\.0\.1:\d+\/ui\/portal\?token=/);
  const left = Date.parse(answer.body.expiresAt) - Date.now();
  assert.ok(left > 29 * 60_000 && left <= 30 * 60_000, `expires in ${left} ms`);
  assert.equal((await server.call('POST', `/v1/apps/${mine.id}/portal-link`)).status, 201, 'the body is optional');
  const tooLong = await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '48h' });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error.code, 'validation_failed');
  assert.equal((await server.call('POST', '/v1/apps/nope/portal-link', {})).status, 404);
  const anonymous = await fetch(`${server.url}/v1/apps/${mine.id}/portal-link`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
});

test('a portal link shows its own app only, and nothing of another app is reachable', async () => {
  const { url } = (await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '1h' })).body;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Generous: CI shares 2 cores between Chromium, hookd and the other test files.
  context.setDefaultTimeout(20_000);
  try {
    const page = await context.newPage();
    await page.goto(url);
    assert.equal(new URL(page.url()).pathname, `/ui/apps/${mine.id}`);
    await page.getByRole('heading', { name: 'Mine: endpoints' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Apps' }).count(), 0, 'no admin navigation');
    assert.equal(await page.getByRole('link', { name: 'Overview' }).count(), 0);
    await page.locator('#region-endpoints').getByRole('link', { name: 'http://127.0.0.1:9/Mine' }).waitFor();
    assert.ok(!(await page.content()).includes('Theirs'), 'nothing of the other app shows');
    await screenshot(page, 'portal');
    const session = (await context.cookies()).find((c) => c.name === 'hookd_session');
    assert.ok(session?.httpOnly && session.sameSite === 'Strict');

    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('link', { name: mine.message }).waitFor();

    const statusOf = async (path: string) => (await page.goto(server.url + path))?.status();
    for (const path of [
      `/ui/apps/${theirs.id}`,
      `/ui/apps/${theirs.id}/messages`,
      `/ui/apps/${theirs.id}/messages/${theirs.message}`,
      `/ui/apps/${theirs.id}/endpoints/${theirs.endpoint}`,
      `/ui/apps/${theirs.id}/live`,
      `/ui/apps/${mine.id}/endpoints/${theirs.endpoint}`,
      `/ui/apps/${mine.id}/messages/${theirs.message}`,
      '/ui/apps',
      '/ui/live',
    ]) {
      assert.equal(await statusOf(path), 404, `${path} is not reachable from the portal`);
    }
    assert.equal(await statusOf(`/v1/apps/${mine.id}`), 401, 'the session cookie is no API token');
    await page.goto(`${server.url}/ui`);
    assert.equal(new URL(page.url()).pathname, `/ui/apps/${mine.id}`, '/ui takes the portal to its app');

    // Actions on another app are refused too, even with this session's own CSRF token.
    const cookie = `hookd_session=${session?.value}`;
    const csrf = await csrfOf(server.url, cookie, `/ui/apps/${mine.id}`);
    for (const verb of ['disable', 'pause']) {
      const refused = await postForm(server.url, `/ui/apps/${theirs.id}/endpoints/${theirs.endpoint}/${verb}`, cookie, {
        _csrf: csrf,
      });
      assert.equal(refused.status, 404, `${verb} on another app's endpoint`);
    }
    for (const trial of ['test-filter', 'test-transformation']) {
      const path = `/ui/apps/${theirs.id}/endpoints/${theirs.endpoint}/${trial}`;
      const other = await postForm(server.url, path, cookie, { _csrf: csrf, messageId: theirs.message });
      assert.equal(other.status, 404, `${trial} on another app's endpoint`);
    }
    const theirsNow = (await server.call('GET', `/v1/apps/${theirs.id}/endpoints/${theirs.endpoint}`)).body;
    assert.deepEqual([theirsNow.disabled, theirsNow.paused], [false, false]);
    // A customer who may disable their endpoint may pause it too.
    const paused = await postForm(server.url, `/ui/apps/${mine.id}/endpoints/${mine.endpoint}/pause`, cookie, { _csrf: csrf });
    assert.equal(paused.status, 303);
    assert.equal((await server.call('GET', `/v1/apps/${mine.id}/endpoints/${mine.endpoint}`)).body.paused, true);
    await postForm(server.url, `/ui/apps/${mine.id}/endpoints/${mine.endpoint}/resume`, cookie, { _csrf: csrf });
    const allowed = await postForm(server.url, `/ui/apps/${mine.id}/endpoints/${mine.endpoint}/disable`, cookie, { _csrf: csrf });
    assert.equal(allowed.status, 303);
    assert.equal((await server.call('GET', `/v1/apps/${mine.id}/endpoints/${mine.endpoint}`)).body.disabled, true);
  } finally {
    await context.close();
  }
});

test('in the portal, an endpoint’s filter is tested on a past message of its app', async () => {
  const { url } = (await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '1h' })).body;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(20_000);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.goto(`${server.url}/ui/apps/${mine.id}/endpoints/${mine.endpoint}`);
    await page.locator('#test-filter-filter').fill('{"data.app": "Theirs"}');
    await page.locator('#test-filter-sample').fill('');
    await page.locator('#test-filter-message').fill(mine.message);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.locator('#filter-verdict').filter({ hasText: 'Does not match' }).waitFor();
    await page.locator('#test-filter-filter').fill('{"type": "invoice.paid", "data.app": "Mine"}');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.locator('#filter-verdict').filter({ hasText: 'Matches' }).waitFor();
  } finally {
    await context.close();
  }
});

test('in the portal, an endpoint’s transformation is tried on a past message of its app', async () => {
  const { url } = (await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '1h' })).body;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(20_000);
  try {
    const page = await context.newPage();
    await page.goto(url);
    // The portal's "Add an endpoint" form saves the code and the trace-context setting through the API's action.
    const code = 'function handler(webhook) { webhook.payload = { who: webhook.payload.data.app }; return webhook; }';
    await page.getByLabel('URL').fill('http://127.0.0.1:9/Mine-transformed');
    await page.locator('#new-transformation').fill(code);
    await page.getByLabel('Send trace context (traceparent) with deliveries').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('status').filter({ hasText: 'Created.' }).waitFor();
    const created = (await server.call('GET', `/v1/apps/${mine.id}/endpoints`)).body.data.find(
      (ep: { url: string }) => ep.url === 'http://127.0.0.1:9/Mine-transformed',
    );
    assert.equal(created.transformation, code);
    assert.equal(created.sendTraceContext, true);
    await page.locator('#endpoint-transformation').filter({ hasText: 'set' }).waitFor();

    assert.equal(await page.locator('#try-transformation-code').inputValue(), code, 'the try form starts from the saved code');
    await page.locator('#try-transformation-sample').fill('');
    await page.locator('#try-transformation-message').fill(mine.message);
    await page.getByRole('button', { name: 'Try', exact: true }).click();
    await page.locator('#transformed-body').filter({ hasText: '"who": "Mine"' }).waitFor();
    await page.locator('#try-transformation-code').fill('function handler(webhook) { return null; }');
    await page.getByRole('button', { name: 'Try', exact: true }).click();
    await page.locator('#transformation-outcome').filter({ hasText: 'Cancelled' }).waitFor();
    assert.equal(
      (await server.call('GET', `/v1/apps/${mine.id}/endpoints/${created.id}`)).body.transformation,
      code,
      'trying saves nothing',
    );
  } finally {
    await context.close();
  }
});

test('a portal link, and the session it opened, are refused after the link expires', async () => {
  const { url } = (await server.call('POST', `/v1/apps/${mine.id}/portal-link`, { expiresIn: '5m' })).body;
  const context = await browser.newContext();
  // Generous: CI shares 2 cores between Chromium, hookd and the other test files.
  context.setDefaultTimeout(20_000);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Mine: endpoints' }).waitFor();
    offsetMs = 6 * 60_000;
    await page.goto(`${server.url}/ui/apps/${mine.id}`);
    // The portal's own page says what happened and how to get back in, never the admin's sign-in.
    assert.equal(new URL(page.url()).pathname, '/ui/portal/ended', 'the session ended with the link');
    await page.getByRole('heading', { name: 'Your portal session ended' }).waitFor();
    assert.equal(await page.getByLabel('Admin token').count(), 0);
    const again = await page.goto(url);
    assert.equal(again?.status(), 401);
    await page.getByRole('heading', { name: 'This portal link no longer works' }).waitFor();
    await page.getByText('ask Mine’s support for a new portal link').waitFor();
    const forged = await page.goto(`${server.url}/ui/portal?token=${encodeURIComponent('eyJ1c2UiOiJwb3J0YWwifQ.AAAA')}`);
    assert.equal(forged?.status(), 401);
  } finally {
    offsetMs = 0;
    await context.close();
  }
});

test('the admin session cookie is HttpOnly, SameSite=Strict, scoped to /ui; a wrong token sets none', async () => {
  const { setCookie } = await signIn(server.url, 'test-admin-token-0123456789abcdefghij');
  const [, maxAge] = setCookie.match(/^hookd_session=[^;]+; Path=\/ui; Max-Age=(\d+); HttpOnly; SameSite=Strict$/) ?? [];
  assert.ok(Number(maxAge) > 43_200 - 10 && Number(maxAge) <= 43_200, `12 hours, less the time the request took: ${setCookie}`);
  const wrong = await postForm(server.url, '/ui/sign-in', '', { token: 'nope' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
});

test('every action without this session’s CSRF token is refused with 403 csrf_invalid', async () => {
  const { cookie, csrf } = await signIn(server.url, 'test-admin-token-0123456789abcdefghij');
  assert.ok(csrf.length > 20);
  const other = await signIn(server.url, 'test-admin-token-0123456789abcdefghij');
  const actions: [string, Record<string, string>][] = [
    ['/ui/apps', { name: 'Sneaky' }],
    [`/ui/apps/${mine.id}/endpoints`, { url: 'http://127.0.0.1:9/sneaky' }],
    [`/ui/apps/${mine.id}/endpoints/${mine.endpoint}/rotate-secret`, {}],
    [`/ui/apps/${mine.id}/endpoints/${mine.endpoint}/enable`, {}],
    [`/ui/apps/${mine.id}/endpoints/${mine.endpoint}/pause`, {}],
    [`/ui/apps/${mine.id}/endpoints/${mine.endpoint}/test-transformation`, { sample: '{}' }],
    [`/ui/apps/${mine.id}/test-event`, { type: 'a.b', data: '{}' }],
    ['/ui/sign-out', {}],
  ];
  const before = (await server.call('GET', `/v1/apps/${mine.id}/endpoints/${mine.endpoint}`)).body;
  const endpointsBefore = (await server.call('GET', `/v1/apps/${mine.id}/endpoints`)).body.data.length;
  for (const [path, fields] of actions) {
    for (const token of [undefined, '', 'x'.repeat(43), other.csrf]) {
      const answer = await postForm(server.url, path, cookie, token === undefined ? fields : { ...fields, _csrf: token });
      assert.equal(answer.status, 403, `${path} with ${JSON.stringify(token)}`);
      assert.match(await answer.text(), /csrf_invalid/);
    }
  }
  const json = await fetch(`${server.url}/ui/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'application/json' },
    body: 'name=x',
  });
  assert.equal(json.status, 403);
  assert.equal((await json.json()).error.code, 'csrf_invalid');
  const after = (await server.call('GET', `/v1/apps/${mine.id}/endpoints/${mine.endpoint}`)).body;
  assert.deepEqual(after, before, 'nothing changed');
  assert.equal((await server.call('GET', `/v1/apps/${mine.id}/endpoints`)).body.data.length, endpointsBefore);
  const anonymous = await postForm(server.url, `/ui/apps/${mine.id}/endpoints/${mine.endpoint}/rotate-secret`, '', {
    _csrf: csrf,
  });
  assert.equal(anonymous.status, 401, 'no session, no action');
  const ok = await postForm(server.url, `/ui/apps/${mine.id}/endpoints/${mine.endpoint}/rotate-secret`, cookie, { _csrf: csrf });
  assert.equal(ok.status, 303, 'with the token the action goes through');
});

test('dashboard pages carry a strict Content-Security-Policy and escape what users typed', async () => {
  const { cookie, csrf } = await signIn(server.url, 'test-admin-token-0123456789abcdefghij');
  const created = await postForm(server.url, '/ui/apps', cookie, { _csrf: csrf, name: '<script>alert(1)</script>' });
  assert.equal(created.status, 303);
  const answer = await fetch(server.url + (created.headers.get('location') ?? ''), { headers: { cookie } });
  assert.match(answer.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const page = await answer.text();
  assert.ok(!page.includes('<script>alert(1)</script>'), 'the name is escaped');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('an unknown address under /ui answers a 404 page, after sign-in like every page', async () => {
  const { cookie } = await signIn(server.url, 'test-admin-token-0123456789abcdefghij');
  const missing = await fetch(`${server.url}/ui/no/such/page`, { headers: { cookie } });
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await missing.text(), /There is no page at \/ui\/no\/such\/page/);
  const signedOut = await fetch(`${server.url}/ui/no/such/page`, { redirect: 'manual' });
  assert.equal(signedOut.status, 303);
  assert.equal(signedOut.headers.get('location'), '/ui/sign-in');
});

test('the SDK client makes portal links', async () => {
  const client = createHookdClient({ baseUrl: server.url, token: 'test-admin-token-0123456789abcdefghij' });
  const link = await client.apps.portalLink(mine.id, { expiresIn: '10m' });
  assert.match(link.url, /\/ui\/portal\?token=/);
  const opened = await fetch(link.url, { redirect: 'manual' });
  assert.equal(opened.status, 303);
  assert.equal(opened.headers.get('location'), `/ui/apps/${mine.id}`);
});
