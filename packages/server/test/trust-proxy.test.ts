/**
 * Behind a reverse proxy: the client address (source IP allowlists) and the scheme (the session cookie's Secure
 * flag) come from X-Forwarded-For / X-Forwarded-Proto only when the direct peer is a proxy HOOKD_TRUST_PROXY lists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawSettings } from '../src/index.js';
import { startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const CLIENT = '203.0.113.7';

async function walledSource(hookd: TestHookd, destination: string): Promise<void> {
  const answer = await hookd.call('POST', '/v1/sources', {
    name: 'walled',
    scheme: 'none',
    allowIps: ['203.0.113.0/24'],
    destinations: [{ url: destination }],
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}

function ingest(hookd: TestHookd, headers: Record<string, string>): Promise<Response> {
  return fetch(`${hookd.url}/in/walled`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });
}

async function withSource(settings: RawSettings, run: (hookd: TestHookd) => Promise<void>): Promise<void> {
  const receiver = await startReceiver();
  const hookd = await startTestHookd(settings);
  try {
    await walledSource(hookd, receiver.url);
    await run(hookd);
  } finally {
    await hookd.close();
    await receiver.close();
  }
}

test('a forged X-Forwarded-For from a peer that is not a trusted proxy does not pass a source allowlist', async () => {
  for (const settings of [{}, { trustProxy: '10.0.0.0/8' }]) {
    await withSource(settings, async (hookd) => {
      const answer = await ingest(hookd, { 'x-forwarded-for': CLIENT });
      assert.equal(answer.status, 403, JSON.stringify(settings));
      assert.equal((await answer.json()).error.code, 'ip_not_allowed');
    });
  }
});

test('X-Forwarded-For from a trusted proxy names the client the allowlist checks', async () => {
  await withSource({ trustProxy: '127.0.0.0/8,::1/128' }, async (hookd) => {
    assert.equal((await ingest(hookd, { 'x-forwarded-for': CLIENT })).status, 200);
    // The proxy appends the address it saw; a client's own X-Forwarded-For entry before it is not believed.
    const forged = await ingest(hookd, { 'x-forwarded-for': `${CLIENT}, 198.51.100.1` });
    assert.equal(forged.status, 403);
    assert.equal((await ingest(hookd, {})).status, 403, 'without the header the proxy itself is the client');
  });
});

async function signInCookie(hookd: TestHookd, headers: Record<string, string>): Promise<string> {
  const answer = await fetch(`${hookd.url}/ui/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token: hookd.hookd.adminToken ?? '' }).toString(),
    redirect: 'manual',
  });
  const cookie = answer.headers.get('set-cookie');
  assert.ok(cookie, `sign-in answered ${answer.status} without a cookie`);
  return cookie;
}

test('the session cookie is Secure behind a trusted https proxy, and only then', async (t) => {
  const trusted = await startTestHookd({ trustProxy: '127.0.0.0/8,::1/128' });
  const direct = await startTestHookd();
  t.after(() => Promise.all([trusted.close(), direct.close()]));
  assert.match(await signInCookie(trusted, { 'x-forwarded-proto': 'https' }), /;\s*Secure/i);
  assert.doesNotMatch(await signInCookie(trusted, { 'x-forwarded-proto': 'http' }), /Secure/i);
  assert.doesNotMatch(await signInCookie(direct, { 'x-forwarded-proto': 'https' }), /Secure/i);
});
