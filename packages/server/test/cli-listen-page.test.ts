/**
 * The `hookd listen` web page in headless Chromium: it lists caught requests, adds new ones live, shows one in
 * full, gives it as curl, replays it to another URL, and is usable from the keyboard.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSecret } from '@hookd/sdk';
import { chromium } from 'playwright-core';
import { listenUrl, runCli, startCli } from './helpers/cli.js';
import { waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

test('the /_hookd page shows the caught request, live, with curl and replay', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-listen-page-'));
  const secret = generateSecret();
  const cli = startCli(['listen', '--port', '0', '--db', join(dir, 'listen.sqlite'), '--secret', secret], {
    env: { NO_COLOR: '1' },
  });
  const app = await startReceiver(() => ({ status: 202, body: 'replayed ok' }));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  t.after(async () => {
    await browser.close();
    await cli.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = await listenUrl(cli);
  await waitReady(base, '/_hookd');

  // One request before the page opens…
  const sent = await runCli([
    'send',
    `${base}/webhooks/orders`,
    '--type',
    'order.created',
    '--data',
    '{"order":1001}',
    '--secret',
    secret,
  ]);
  assert.equal(sent.code, 0, sent.stderr);

  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${base}/_hookd`);
  const rows = page.locator('#list button');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(
    (await rows.first().textContent()) ?? '',
    /POST[\s\S]*\/webhooks\/orders[\s\S]*200[\s\S]*order\.created[\s\S]*signature ✓/,
  );
  await page.locator('#conn', { hasText: 'live' }).waitFor();

  // …and one while it is open: it appears without a reload, on top, and (nothing selected yet) opens.
  const forged = await runCli(['send', `${base}/webhooks/forged`, '--type', 'order.created', '--secret', generateSecret()]);
  assert.equal(forged.code, 0, forged.stderr);
  await page.locator('#list button', { hasText: '/webhooks/forged' }).waitFor();
  assert.equal(await rows.count(), 2);
  assert.match((await rows.first().textContent()) ?? '', /\/webhooks\/forged[\s\S]*signature ✗/);
  await page.locator('#detail h2', { hasText: 'POST /webhooks/forged' }).waitFor();
  assert.match((await page.locator('#verification').textContent()) ?? '', /Signature not verified: signature_invalid/);

  // The keyboard: j moves down to the first request, which shows in full.
  await page.keyboard.press('j');
  await page.locator('#detail h2', { hasText: 'POST /webhooks/orders' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-id')), '1');
  assert.match((await page.locator('#verification').textContent()) ?? '', /✓ Signature verified \(standard, detected\)/);
  assert.match((await page.locator('#body').textContent()) ?? '', /"order": 1001/);
  assert.match((await page.locator('#detail table').textContent()) ?? '', /webhook-signature\s*v1,/);

  // Copy as curl: the command shown is the one copied, and it replays the request byte for byte.
  const curl = (await page.locator('#curl').textContent()) ?? '';
  assert.match(curl, new RegExp(`^curl -X POST '${base}/webhooks/orders'`));
  assert.match(curl, /-H 'webhook-id: msg_/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.locator('#copy-curl').click();
  await page.locator('#copied', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), curl);

  // Replay to another URL: the app gets the same bytes and headers, and the page shows its answer.
  await page.keyboard.press('r');
  await page.keyboard.type(app.url);
  await page.keyboard.press('Enter');
  await page.locator('#replay-result', { hasText: 'answered 202' }).waitFor();
  const [replayed] = await app.waitFor(1);
  const original = (await (await fetch(`${base}/_hookd/api/requests/1`)).json()) as {
    body: string;
    headers: Record<string, string>;
  };
  assert.equal(replayed?.body, original.body);
  assert.equal(replayed?.headers['webhook-signature'], original.headers['webhook-signature']);
  assert.match((await page.locator('#replay-result').textContent()) ?? '', /replayed ok/);
  // The page's own calls were never caught as webhooks.
  assert.equal(await rows.count(), 2);
});
