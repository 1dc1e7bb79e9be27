/**
 * The dashboard and portal on a phone (390×844) in headless Chromium: no sideways scrolling, tables read as cards,
 * charts with titles and readable labels, one empty state for an app without traffic; live updates that fetch only
 * the regions an event concerns, keep focus, and wait while the tab is hidden; a message page whose size does not
 * grow with its attempts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { launchChromium, screenshot, signIn } from './helpers/ui.js';

const PHONE = { width: 390, height: 844 };
let server: TestHookd;
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cookie: string;
let shop: string;
let empty: string;
let okEndpoint: string;
let failEndpoint: string;
let firstMessage: string;

before(async () => {
  [server, browser] = await Promise.all([startTestHookd(), launchChromium()]);
  receiver = await startReceiver((request) =>
    request.path.includes('/fail') ? { status: 500, body: 'upstream broke' } : { status: 200 },
  );
  shop = (await server.call('POST', '/v1/apps', { name: 'Shop', uid: 'shop' })).body.id;
  empty = (await server.call('POST', '/v1/apps', { name: 'Quiet' })).body.id;
  // A long URL without a break in it: the layout must wrap it, not widen the page.
  const longUrl = `${receiver.url}/orders-service-production-eu-west-1-primary-receiver-with-a-long-path?token=abcdefghijklmnop`;
  okEndpoint = (await server.call('POST', `/v1/apps/${shop}/endpoints`, { url: longUrl, events: ['order.*'] })).body.id;
  failEndpoint = (await server.call('POST', `/v1/apps/${shop}/endpoints`, { url: `${receiver.url}/fail`, events: ['invoice.*'] }))
    .body.id;
  firstMessage = (await server.call('POST', `/v1/apps/${shop}/events`, { type: 'order.created', data: { id: 1 } })).body.id;
  await server.call('POST', `/v1/apps/${shop}/events`, { type: 'invoice.paid', data: { id: 2 } });
  await receiver.waitFor(4); // one success, three failed attempts
  cookie = (await signIn(server.url, 'test-admin-token-0123456789abcdefghij')).cookie;
  context = await browser.newContext({ viewport: PHONE });
  context.setDefaultTimeout(20_000);
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.close();
});

/** How far the page reaches past the viewport's right edge, and whether its tables are laid out as cards. */
async function phoneLayout(p: Page, path: string) {
  await p.goto(server.url + path);
  return p.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    titleRight: document.querySelector('h1')?.getBoundingClientRect().right ?? 0,
    rows: [...document.querySelectorAll('.table-wrap tbody tr')].map((tr) => getComputedStyle(tr).display),
    headers: [...document.querySelectorAll('.table-wrap thead')].map((h) => h.getBoundingClientRect().height),
  }));
}

function assertFits(path: string, layout: Awaited<ReturnType<typeof phoneLayout>>) {
  assert.ok(layout.overflow <= 0, `${path} overflows by ${layout.overflow} px`);
  assert.ok(layout.titleRight <= PHONE.width, `${path}: the title reaches ${layout.titleRight} px`);
  assert.ok(
    layout.rows.every((display) => display === 'block'),
    `${path}: table rows are cards (${layout.rows})`,
  );
  assert.ok(
    layout.headers.every((height) => height <= 1),
    `${path}: column headers are hidden`,
  );
}

test('at 390×844 no dashboard or portal screen scrolls sideways, and tables read as cards', async () => {
  const paths = [
    '/ui',
    '/ui/apps',
    '/ui/audit',
    `/ui/apps/${shop}`,
    `/ui/apps/${empty}`,
    `/ui/apps/${shop}/endpoints/${okEndpoint}`,
    `/ui/apps/${shop}/endpoints/${failEndpoint}`,
    `/ui/apps/${shop}/messages`,
    `/ui/apps/${shop}/messages/${firstMessage}`,
  ];
  for (const path of paths) assertFits(path, await phoneLayout(page, path));
  // Each cell says which column it is.
  await page.goto(`${server.url}/ui/apps/${shop}`);
  const cell = page.locator('#region-endpoints td[data-label="Last attempt"]').first();
  assert.equal(await cell.evaluate((td) => getComputedStyle(td, '::before').content), '"Last attempt"');
  const url = await page.locator('#region-endpoints td[data-label="URL"] a').first().boundingBox();
  assert.ok(url && url.width > 150, `the URL has room to read (${url?.width} px wide)`);

  const { url: link } = (await server.call('POST', `/v1/apps/${shop}/portal-link`, {})).body;
  const portal = await browser.newContext({ viewport: PHONE });
  try {
    const customer = await portal.newPage();
    await customer.goto(link);
    await customer.getByRole('heading', { name: 'Shop: endpoints' }).waitFor();
    for (const path of paths.filter((p) => p.startsWith(`/ui/apps/${shop}`))) {
      assertFits(`portal ${path}`, await phoneLayout(customer, path));
    }
  } finally {
    await portal.close();
  }
});

test('charts have a title and legend, labels that fit and read at 390 px; an app without traffic shows one note', async () => {
  await page.goto(`${server.url}/ui/apps/${shop}`);
  const charts = await page.locator('figure.chart').evaluateAll((figures) =>
    figures.map((figure) => {
      const box = figure.getBoundingClientRect();
      const top = figure.querySelector('.y-axis span')?.getBoundingClientRect();
      const sizes = [...figure.querySelectorAll('figcaption, .y-axis span, .x-axis span')].map((e) =>
        Number.parseFloat(getComputedStyle(e).fontSize),
      );
      return {
        title: figure.querySelector('.chart-title')?.textContent ?? '',
        legend: figure.querySelector('.legend')?.textContent ?? '',
        axis: figure.querySelector('.x-axis')?.textContent ?? '',
        topInside: !!top && top.top >= box.top && top.left >= box.left && top.right <= box.right,
        smallest: Math.min(...sizes),
      };
    }),
  );
  assert.equal(charts.length, 6, 'three charts for each of two windows');
  for (const chart of charts) {
    assert.ok(chart.title && chart.legend, `a title and a legend: ${JSON.stringify(chart)}`);
    assert.ok(chart.topInside, `the top label fits in the chart: ${chart.title}`);
    assert.ok(chart.smallest >= 11, `${chart.title}: text of ${chart.smallest} px`);
    assert.match(chart.axis, /ago\s*now/);
  }
  const latency = page.locator('figure.chart', { hasText: 'Mean latency' }).first();
  assert.match((await latency.locator('.y-axis span').first().textContent()) ?? '', /^\d+ ms$/);
  await screenshot(page, 'charts', page.locator('#traffic'));

  await page.goto(`${server.url}/ui/apps/${empty}`);
  await page.locator('#region-charts .empty-charts').waitFor();
  assert.equal(await page.locator('figure.chart').count(), 0, 'no empty charts');
});

/** The requests the page makes for its own address (a reload or a live refresh), with their regions header. */
function pageRequests(p: Page): string[] {
  const seen: string[] = [];
  const address = p.url().split('#')[0];
  p.on('request', (request) => {
    if (request.url().split('#')[0] === address) seen.push(request.headers()['x-hookd-regions'] ?? 'whole page');
  });
  return seen;
}

const liveCounts = (p: Page) =>
  p.locator('#live-status').evaluate((status) => ({
    events: Number(status.getAttribute('data-events') ?? 0),
    due: Number(status.getAttribute('data-due') ?? 0),
  }));

/**
 * Opens `path` and waits for its live updates to settle. The stream starts 5 s back (ui/live.ts), so what an earlier
 * step did a moment ago (a publish, an attempt) may still arrive and refresh the page: counting requests starts after.
 */
async function openLive(p: Page, path: string) {
  await p.goto(server.url + path);
  await p.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  let last = '';
  for (let looks = 0; looks < 20; looks++) {
    await new Promise((resolve) => setTimeout(resolve, 750));
    const counts = await liveCounts(p);
    if (JSON.stringify(counts) === last && counts.due === 0) break;
    last = JSON.stringify(counts);
  }
}

test('live updates fetch only the regions an event concerns, without reloading or moving focus', async () => {
  await openLive(page, `/ui/apps/${shop}/messages/${firstMessage}`);
  const requests = pageRequests(page);
  // The link to the endpoint, as a pointer would be over it: it must stay the same element.
  await page.evaluate(() => {
    const held = window as unknown as { marker: number; link: Element | null };
    held.marker = 1;
    held.link = document.querySelector('#region-deliveries h3 a');
  });
  const retry = page.getByRole('button', { name: 'Retry now' });
  await retry.focus();

  // Another message and its attempt: nothing on this page shows them.
  const before = await liveCounts(page);
  await server.call('POST', `/v1/apps/${shop}/events`, { type: 'order.created', data: { id: 3 } });
  await eventually(async () => ((await liveCounts(page)).events >= before.events + 2 ? true : undefined), 10_000, 'events');
  assert.equal((await liveCounts(page)).due, 0, 'no region waits for a refresh');
  assert.deepEqual(requests, [], 'the page was not fetched again');

  // An attempt of this message: its deliveries region changes in place.
  const [delivery] = (await server.call('GET', `/v1/apps/${shop}/events/${firstMessage}/deliveries`)).body.data;
  assert.equal((await server.call('POST', `/v1/apps/${shop}/deliveries/${delivery.id}/retry`)).status, 202);
  await page.locator('#region-deliveries details', { hasText: 'Attempt 2' }).waitFor();
  assert.deepEqual(requests, ['region-deliveries']);
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'no reload');
  assert.equal(await retry.evaluate((button) => button === document.activeElement), true, 'focus stays');
  const link = await page.evaluate(() => (window as unknown as { link: Element }).link.isConnected);
  assert.equal(link, true, 'the link under the pointer is the same element');
});

/** As when the reader switches to another tab and back: the page's visibility, and the event that tells of it. */
function setHidden(p: Page, hidden: boolean) {
  // A string, not a function: what the test runner's compiler adds to functions does not exist in the page.
  return p.evaluate(`
    Object.defineProperty(document, 'hidden', { configurable: true, value: ${hidden} });
    Object.defineProperty(document, 'visibilityState', { configurable: true, value: '${hidden ? 'hidden' : 'visible'}' });
    document.dispatchEvent(new Event('visibilitychange'));`);
}

test('typing in a form holds updates back and keeps focus; a hidden tab fetches nothing until shown', async () => {
  await openLive(page, `/ui/apps/${shop}/messages`);
  const requests = pageRequests(page);
  const field = page.getByLabel('Event type');
  await field.pressSequentially('order');
  // Of a type no endpoint takes: one event, no attempts, so the fetches counted are the ones it caused.
  const typed = (await server.call('POST', `/v1/apps/${shop}/events`, { type: 'note.added', data: { id: 4 } })).body.id;
  const status = page.locator('#live-status');
  await eventually(
    async () => {
      await field.press('x');
      return (await status.textContent())?.includes('Paused while you type') ? true : undefined;
    },
    10_000,
    'the update to wait for the typing',
  );
  const lastKey = Date.now();
  const value = await field.inputValue();
  await page.locator(`#row-${typed}`).waitFor();
  assert.ok(Date.now() - lastKey >= 1_000, 'the update came after a pause in the typing');
  assert.equal(await field.evaluate((input) => input === document.activeElement), true, 'focus stays in the field');
  assert.equal(await field.inputValue(), value, 'what was typed stays');
  assert.deepEqual(requests, ['region-messages']);

  await setHidden(page, true);
  const hidden = (await server.call('POST', `/v1/apps/${shop}/events`, { type: 'note.added', data: { id: 5 } })).body.id;
  await page.locator('#live-status').filter({ hasText: 'Paused while this tab is hidden' }).waitFor();
  assert.deepEqual(requests, ['region-messages'], 'nothing fetched while hidden');
  assert.equal(await page.locator(`#row-${hidden}`).count(), 0);
  await setHidden(page, false);
  await page.locator(`#row-${hidden}`).waitFor();
  assert.deepEqual(requests, ['region-messages', 'region-messages']);
});

test('a message page shows a large payload once, whatever the number of attempts; live refreshes leave it out', async () => {
  const blob = 'x'.repeat(150_000);
  const message = (await server.call('POST', `/v1/apps/${shop}/events`, { type: 'invoice.paid', data: { blob } })).body.id;
  const deliveries = async () => (await server.call('GET', `/v1/apps/${shop}/events/${message}/deliveries`)).body.data;
  const [failed] = await eventually(async () => {
    const list = await deliveries();
    return list[0]?.status === 'failed' ? list : undefined;
  });
  const path = `${server.url}/ui/apps/${shop}/messages/${message}`;
  const size = async (headers: Record<string, string> = {}) =>
    (await (await fetch(path, { headers: { cookie, ...headers } })).text()).length;
  const three = await size();
  assert.equal(failed.attemptCount, 3);
  assert.ok(three < blob.length + 30_000, `${three} characters for a ${blob.length}-character payload and 3 attempts`);

  await server.call('POST', `/v1/apps/${shop}/deliveries/${failed.id}/retry`);
  await eventually(async () => ((await deliveries())[0]?.attemptCount === 4 ? true : undefined));
  const four = await size();
  assert.ok(four - three < 5_000, `one more attempt added ${four - three} characters`);
  const region = await size({ 'x-hookd-regions': 'region-deliveries' });
  assert.ok(region < 20_000, `the deliveries region alone is ${region} characters`);
  console.log('message page (characters):', { payload: blob.length, threeAttempts: three, fourAttempts: four, region });
});
