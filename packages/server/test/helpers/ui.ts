/** Helpers for the dashboard tests: a headless Chromium, a signed-in session over plain fetch, and screenshots. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const SCREENSHOTS = process.env.HOOKD_SCREENSHOTS === '1';
const SHOTS_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 15_000,
  });
}

/**
 * Saves `name-1280.png` and `name-390.png` of the page as it is, when HOOKD_SCREENSHOTS=1; scrolled to `top`'s start
 * when given.
 */
export async function screenshot(page: Page, name: string, top?: Locator): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SHOTS_DIR, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 1280 ? 800 : 844 });
    await top?.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SHOTS_DIR, `${name}-${width}.png`), fullPage: false });
  }
  await page.setViewportSize(size);
}

export interface UiSession {
  cookie: string;
  setCookie: string;
  /** The CSRF token forms carry, read from a page. */
  csrf: string;
}

/** Signs in with the admin token through the sign-in form's POST and reads the CSRF token from a page. */
export async function signIn(baseUrl: string, token: string): Promise<UiSession> {
  const answer = await fetch(`${baseUrl}/ui/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  return { cookie, setCookie, csrf: await csrfOf(baseUrl, cookie, '/ui/apps') };
}

export async function csrfOf(baseUrl: string, cookie: string, path: string): Promise<string> {
  const page = await (await fetch(baseUrl + path, { headers: { cookie } })).text();
  return /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
}

/** A form POST as a browser sends it; answers are not followed. */
export function postForm(baseUrl: string, path: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
