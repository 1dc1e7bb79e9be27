/**
 * Access that ends when it should: streams re-check their credential and close once it is revoked, sign-out and
 * revocation end sessions and portal links on the server (across processes on PostgreSQL), portal links are signed
 * with a random key kept in the store, wrong tokens are answered with 429, and a link never switches a session silently.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../sdk/test/support.js';
import { AuthLimiter } from '../src/api/index.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { postForm, signIn } from './helpers/ui.js';

const ADMIN = 'test-admin-token-0123456789abcdefghij';
/** Streams check their credential this often here, so a revocation shows in well under a second. */
const FAST_RECHECK = { accessRecheckMs: 100 };

/**
 * Reads an SSE stream until it ends (or `ms` pass, or `stop()`); answers the event names seen and whether the server
 * ended it.
 */
function readStream(url: string, headers: Record<string, string>, ms: number) {
  const controller = new AbortController();
  const events: string[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const done = (async () => {
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      const response = await fetch(url, { headers, signal: controller.signal });
      assert.equal(response.status, 200);
      opened();
      const decoder = new TextDecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
          if (line.startsWith('event:')) events.push(line.slice(6).trim());
        }
      }
      return { events, endedByServer: true };
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
      return { events, endedByServer: false };
    } finally {
      clearTimeout(timer);
    }
  })();
  return { open, done, stop: () => controller.abort() };
}

async function appWithToken(server: TestHookd, uid: string, token: Record<string, unknown> = {}) {
  const app = (await server.call('POST', '/v1/apps', { uid, name: uid })).body;
  const created = await server.call('POST', `/v1/apps/${uid}/tokens`, token);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { app, token: created.body as { id: string; token: string } };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('an app token’s open attempt stream closes within seconds of the token being revoked', async (t) => {
  const server = await startTestHookd({}, FAST_RECHECK);
  t.after(() => server.close());
  const { token } = await appWithToken(server, 'shop');
  const stream = readStream(`${server.url}/v1/apps/shop/attempts/stream`, bearer(token.token), 10_000);
  await stream.open;
  const revokedAt = Date.now();
  assert.equal((await server.call('DELETE', `/v1/apps/shop/tokens/${token.id}`)).status, 204);
  const { events, endedByServer } = await stream.done;
  assert.equal(endedByServer, true, 'the server ended the stream, not the test’s timeout');
  assert.ok(Date.now() - revokedAt < 3_000, `closed ${Date.now() - revokedAt} ms after the revocation`);
  assert.deepEqual(events, ['access-ended']);
});

test('the admin’s stream stays open while its token holds', async (t) => {
  const clock = manualClock(Date.now());
  const server = await startTestHookd({}, { ...FAST_RECHECK, clock: clock.now, timers: clock });
  t.after(() => server.close());
  const stream = readStream(`${server.url}/v1/attempts/stream`, bearer(ADMIN), 10_000);
  await stream.open;
  // Each re-check is let go once the stream waits for it; one that ended the stream would set no next one.
  const nextCheckSet = () => (clock.pending().includes(clock.now() + FAST_RECHECK.accessRecheckMs) ? true : undefined);
  for (let check = 0; check < 5; check++) {
    await eventually(nextCheckSet, 5_000, 'the stream to wait for its next re-check');
    clock.advance(FAST_RECHECK.accessRecheckMs);
  }
  await eventually(nextCheckSet, 5_000, 'the fifth re-check to pass');
  stream.stop();
  assert.equal((await stream.done).endedByServer, false, 'still open after five re-checks');
});

test('sign-out ends the session on the server: the same cookie is refused, and its live view closes and says so', async (t) => {
  const server = await startTestHookd({}, FAST_RECHECK);
  t.after(() => server.close());
  const { cookie, csrf } = await signIn(server.url, ADMIN);
  const live = readStream(`${server.url}/ui/live`, { cookie }, 10_000);
  await live.open;
  assert.equal((await postForm(server.url, '/ui/sign-out', cookie, { _csrf: csrf })).status, 303);
  const { events, endedByServer } = await live.done;
  assert.equal(endedByServer, true);
  assert.deepEqual(events, ['access-ended']);
  const again = await fetch(`${server.url}/ui/apps`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(again.status, 303, 'the old cookie value no longer opens the dashboard');
  assert.equal(again.headers.get('location'), '/ui/sign-in');
});

test('portal links: admin-only unless the token may make them; a link made by an app token ends with the token', async (t) => {
  const server = await startTestHookd({}, FAST_RECHECK);
  t.after(() => server.close());
  const plain = await appWithToken(server, 'plain');
  const refused = await fetch(`${server.url}/v1/apps/plain/portal-link`, { method: 'POST', headers: bearer(plain.token.token) });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, 'forbidden');

  const { token } = await appWithToken(server, 'minter', { canMintPortalLinks: true });
  const made = await fetch(`${server.url}/v1/apps/minter/portal-link`, { method: 'POST', headers: bearer(token.token) });
  assert.equal(made.status, 201);
  const { url } = (await made.json()) as { url: string };
  const opened = await fetch(url, { redirect: 'manual' });
  assert.equal(opened.status, 303);
  const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const appPage = opened.headers.get('location') as string;
  assert.equal((await fetch(server.url + appPage, { headers: { cookie } })).status, 200);
  const live = readStream(`${server.url}${appPage}/live`, { cookie }, 10_000);
  await live.open;

  assert.equal((await server.call('DELETE', `/v1/apps/minter/tokens/${token.id}`)).status, 204);
  assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'the link no longer opens');
  assert.equal((await fetch(server.url + appPage, { headers: { cookie }, redirect: 'manual' })).status, 303, 'its session ended');
  assert.deepEqual((await live.done).events, ['access-ended']);
});

test('an app’s portal links are revoked together, and rotating the signing key ends every link', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const link = async () => (await server.call('POST', '/v1/apps/acme/portal-link', {})).body.url as string;
  const first = await link();
  const opened = await fetch(first, { redirect: 'manual' });
  const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] as string;
  assert.equal(opened.status, 303);

  assert.equal((await server.call('DELETE', '/v1/apps/acme/portal-links')).status, 204);
  assert.equal((await fetch(first, { redirect: 'manual' })).status, 401);
  assert.equal((await fetch(`${server.url}/ui/apps/acme`, { headers: { cookie }, redirect: 'manual' })).status, 303);
  const second = await link();
  assert.equal((await fetch(second, { redirect: 'manual' })).status, 303, 'links made after the revocation work');

  assert.equal((await server.call('POST', '/v1/portal-signing-key/rotate')).status, 204);
  assert.equal((await fetch(second, { redirect: 'manual' })).status, 401);
  assert.equal((await fetch(await link(), { redirect: 'manual' })).status, 303);
});

test('the signing key is random and kept in the store, not derived from the admin token', async (t) => {
  const [one, two] = await Promise.all([startTestHookd(), startTestHookd()]);
  t.after(() => Promise.all([one.close(), two.close()]));
  const key = await one.hookd.store.readSetting('portal_signing_key');
  assert.match(key ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(key, await two.hookd.store.readSetting('portal_signing_key'), 'same admin token, different keys');
  await one.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  await two.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const url = (await one.call('POST', '/v1/apps/acme/portal-link', {})).body.url as string;
  assert.equal((await fetch(url.replace(one.url, two.url), { redirect: 'manual' })).status, 401);
});

test('repeated wrong tokens from one address get 429 with Retry-After; valid tokens never count', async (t) => {
  const server = await startTestHookd({}, { maxAuthFailures: 5 });
  t.after(() => server.close());
  for (let i = 0; i < 10; i++) assert.equal((await server.call('GET', '/v1/apps')).status, 200);
  assert.equal((await fetch(`${server.url}/v1/apps`)).status, 401, 'no token at all is not a guess either');
  for (let i = 0; i < 5; i++) {
    assert.equal((await fetch(`${server.url}/v1/apps`, { headers: bearer(`wrong-${i}`) })).status, 401);
  }
  const limited = await fetch(`${server.url}/v1/apps`, { headers: bearer('wrong-again') });
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).error.code, 'auth_rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  const signIn = await postForm(server.url, '/ui/sign-in', '', { token: 'guess' });
  assert.equal(signIn.status, 429, 'the sign-in form counts against the same address');

  const limiter = new AuthLimiter({ maxFailures: 1, maxAddresses: 100 });
  for (let i = 0; i < 1000; i++) limiter.failed(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(limiter.size, 100, 'bounded in memory');
  assert.throws(() => limiter.check('10.0.3.231'), /Too many/);
  assert.doesNotThrow(() => limiter.check('192.0.2.1'));
});

test('a portal link does not switch an existing session silently, nor from another site', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const url = (await server.call('POST', '/v1/apps/acme/portal-link', {})).body.url as string;
  const admin = await signIn(server.url, ADMIN);

  const asked = await fetch(url, { headers: { cookie: admin.cookie, 'sec-fetch-site': 'none' }, redirect: 'manual' });
  assert.equal(asked.status, 200, 'a confirmation page, not a redirect');
  const page = await asked.text();
  assert.match(page, /signed in as the admin/);
  assert.doesNotMatch(asked.headers.get('set-cookie') ?? '', /hookd_session=/);
  assert.equal((await fetch(`${server.url}/ui/apps`, { headers: { cookie: admin.cookie } })).status, 200, 'admin still in');

  const confirmCookie = (asked.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] as string;
  const token = new URL(url).searchParams.get('token') as string;
  const forged = await postForm(server.url, '/ui/portal', admin.cookie, { token, _csrf: csrf });
  assert.equal(forged.status, 403, 'no confirmation cookie: refused');
  const crossSite = await fetch(`${server.url}/ui/portal`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `${admin.cookie}; ${confirmCookie}`,
      'sec-fetch-site': 'cross-site',
    },
    body: new URLSearchParams({ token, _csrf: csrf }).toString(),
    redirect: 'manual',
  });
  assert.equal(crossSite.status, 403);
  const confirmed = await postForm(server.url, '/ui/portal', `${admin.cookie}; ${confirmCookie}`, { token, _csrf: csrf });
  assert.equal(confirmed.status, 303);
  assert.match(confirmed.headers.get('set-cookie') ?? '', /hookd_session=[^;]{20,}/);
  const adminAfter = await fetch(`${server.url}/ui/apps`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
  assert.equal(adminAfter.status, 303, 'the admin session it replaced ended');

  // Followed from another site, the request carries no SameSite=Strict cookie: hookd asks rather than switch.
  const fromElsewhere = await fetch(url, { headers: { 'sec-fetch-site': 'cross-site' }, redirect: 'manual' });
  assert.equal(fromElsewhere.status, 200);
  assert.doesNotMatch(fromElsewhere.headers.get('set-cookie') ?? '', /hookd_session=/);
  // Opened directly in a browser without a session, it opens at once.
  assert.equal((await fetch(url, { headers: { 'sec-fetch-site': 'none' }, redirect: 'manual' })).status, 303);
});

test('on PostgreSQL, signing out and revoking in one process end the session and stream in another', async (t) => {
  const database = await testDatabase(t);
  if (!database) return;
  const settings = { databaseUrl: database.url };
  const one = await startTestHookd(settings, FAST_RECHECK);
  const two = await startTestHookd({ ...settings, role: 'api' }, FAST_RECHECK).catch(async (error) => {
    await one.close();
    throw error;
  });
  t.after(async () => {
    await Promise.all([one.close(), two.close()]);
    await database.drop();
  });
  const { cookie, csrf } = await signIn(one.url, ADMIN);
  assert.equal((await fetch(`${two.url}/ui/apps`, { headers: { cookie } })).status, 200, 'the session holds in both');
  const live = readStream(`${two.url}/ui/live`, { cookie }, 10_000);
  await live.open;
  assert.equal((await postForm(one.url, '/ui/sign-out', cookie, { _csrf: csrf })).status, 303);
  assert.deepEqual((await live.done).events, ['access-ended']);
  assert.equal((await fetch(`${two.url}/ui/apps`, { headers: { cookie }, redirect: 'manual' })).status, 303);

  await one.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const { url } = (await one.call('POST', '/v1/apps/acme/portal-link', {})).body;
  assert.equal((await fetch(url.replace(one.url, two.url), { redirect: 'manual' })).status, 303, 'one key for both');
  assert.equal((await one.call('DELETE', '/v1/apps/acme/portal-links')).status, 204);
  await eventually(async () =>
    (await fetch(url.replace(one.url, two.url), { redirect: 'manual' })).status === 401 ? true : undefined,
  );
});
