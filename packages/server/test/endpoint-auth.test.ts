/**
 * hookd authenticating to endpoints, against real counterparts on loopback: HTTP Basic and secret headers; an OAuth
 * 2.0 client-credentials token server (form-encoded requests, the client authenticated with Basic, tokens that expire
 * and can be revoked); an HTTPS receiver that asks for a client certificate signed by its CA. Secrets are write-only:
 * no answer of the API, and no recorded attempt, holds one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type TestContext, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { certificateAuthority, selfSigned } from './helpers/certificates.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';
import { csrfOf, postForm, signIn } from './helpers/ui.js';

async function setup(t: TestContext) {
  const clock = { now: Date.now() };
  const server = await startTestHookd({ allowNetworks: '127.0.0.0/8' }, { clock: () => clock.now });
  t.after(() => server.close());
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return { server, clock };
}

async function listening(server: Server, t: TestContext): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** The app's newest delivery once it has `count` attempts. */
async function attempts(server: TestHookd, count: number) {
  return eventually(
    async () => {
      const [delivery] = (await server.call('GET', '/v1/apps/acme/deliveries')).body.data;
      if (!delivery || delivery.attemptCount < count) return undefined;
      return (await server.call('GET', `/v1/apps/acme/deliveries/${delivery.id}`)).body;
    },
    8_000,
    `${count} attempts`,
  );
}

/** The app's newest delivery, once its first attempt failed. */
async function newestWithError(server: TestHookd) {
  return eventually(
    async () => {
      const [delivery] = (await server.call('GET', '/v1/apps/acme/deliveries')).body.data;
      const detail = delivery && (await server.call('GET', `/v1/apps/acme/deliveries/${delivery.id}`)).body;
      return detail?.attempts[0]?.error ? detail : undefined;
    },
    8_000,
    'a failed attempt',
  );
}

const publish = async (server: TestHookd, n = 1) =>
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n } })).status, 202);

test('Basic auth and secret headers reach the endpoint; no answer and no recorded attempt shows them', async (t) => {
  const { server } = await setup(t);
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const created = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: receiver.url,
    auth: { type: 'basic', username: 'hookd', password: 'pa55-word' },
    secretHeaders: { 'X-Api-Key': 'key-123' },
  });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.auth, { type: 'basic', username: 'hookd' });
  assert.deepEqual(created.body.secretHeaders, ['X-Api-Key']);
  await publish(server);
  const [request] = await receiver.waitFor(1);
  assert.equal(request?.headers.authorization, `Basic ${Buffer.from('hookd:pa55-word').toString('base64')}`);
  assert.equal(request?.headers['x-api-key'], 'key-123');

  const delivery = await attempts(server, 1);
  assert.equal(delivery.attempts[0].requestHeaders.authorization, 'Basic [hidden]');
  assert.equal(delivery.attempts[0].requestHeaders['X-Api-Key'], '[hidden]');
  const everything = JSON.stringify([
    created.body,
    (await server.call('GET', `/v1/apps/acme/endpoints/${created.body.id}`)).body,
    (await server.call('GET', '/v1/apps/acme/endpoints')).body,
    delivery,
  ]);
  assert.ok(!everything.includes('pa55-word') && !everything.includes('key-123'), 'no secret in any answer');

  // The dashboard says what is set, never a secret.
  const session = await signIn(server.url, server.hookd.adminToken ?? '');
  const screen = await fetch(`${server.url}/ui/apps/${created.body.appId}/endpoints/${created.body.id}`, {
    headers: { cookie: session.cookie },
  });
  const page = await screen.text();
  assert.match(page, /HTTP Basic as <code>hookd<\/code>/);
  assert.match(page, /secret headers <code>X-Api-Key<\/code>/);
  assert.ok(!page.includes('pa55-word') && !page.includes('key-123'));

  // Removing the auth keeps the secret headers.
  const changed = await server.call('PATCH', `/v1/apps/acme/endpoints/${created.body.id}`, { auth: null });
  assert.equal(changed.body.auth, null);
  assert.deepEqual(changed.body.secretHeaders, ['X-Api-Key']);
});

/** A client-credentials token server: tokens for `client`/`secret`, each valid `lifetime` seconds unless revoked. */
async function startTokenServer(t: TestContext, lifetime = 3600) {
  const issued: { token: string; scope: string | null; expiresAt: number }[] = [];
  const revoked = new Set<string>();
  let requests = 0;
  let down = false;
  const server = createHttpServer(async (request, response) => {
    requests++;
    let body = '';
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body);
    const [user, pass] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
      .map(decodeURIComponent);
    const answer = (status: number, json: object) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    if (down) return answer(503, { error: 'temporarily_unavailable' });
    if (request.method !== 'POST' || !String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return answer(400, { error: 'invalid_request' });
    if (user !== 'client' || pass !== 's3cret') return answer(401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' });
    const token = `tok_${issued.length + 1}`;
    issued.push({ token, scope: form.get('scope'), expiresAt: Date.now() + lifetime * 1000 });
    answer(200, { access_token: token, token_type: 'Bearer', expires_in: lifetime });
  });
  const host = await listening(server, t);
  return {
    url: `http://${host}/oauth/token`,
    issued,
    revoke: (token: string) => revoked.add(token),
    requests: () => requests,
    setDown: (value: boolean) => {
      down = value;
    },
    /** Whether a request carries a live token of this server. */
    accepts(request: IncomingMessage): boolean {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      const found = issued.find((entry) => entry.token === token);
      return found !== undefined && !revoked.has(token) && found.expiresAt > Date.now();
    },
  };
}

test('OAuth 2.0 client credentials: one token for many deliveries, fetched anew when refused, refusals are auth_failed', async (t) => {
  const { server, clock } = await setup(t);
  const tokens = await startTokenServer(t);
  const received: string[] = [];
  const endpoint = createHttpServer((request, response) => {
    if (!tokens.accepts(request)) return response.writeHead(401).end();
    received.push(String(request.headers.authorization));
    response.writeHead(200).end('ok');
  });
  const host = await listening(endpoint, t);
  const created = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: `http://${host}/hook`,
    auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'client', clientSecret: 's3cret', scope: 'webhooks' },
  });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.auth, {
    type: 'oauth2',
    tokenUrl: tokens.url,
    clientId: 'client',
    scope: 'webhooks',
    audience: null,
  });
  for (let n = 1; n <= 3; n++) await publish(server, n);
  await eventually(async () => (received.length === 3 ? true : undefined), 8_000, 'three deliveries');
  assert.deepEqual(received, ['Bearer tok_1', 'Bearer tok_1', 'Bearer tok_1']);
  assert.equal(tokens.issued.length, 1, 'one token for all three');
  assert.equal(tokens.issued[0]?.scope, 'webhooks');

  // The endpoint stops taking the token: the same attempt fetches a new one and succeeds.
  tokens.revoke('tok_1');
  await publish(server, 4);
  await eventually(async () => (received.length === 4 ? true : undefined), 8_000, 'the fourth delivery');
  assert.equal(received[3], 'Bearer tok_2');

  // A token is not used past its expires_in (less a margin): an hour on, a new one is fetched.
  clock.now += 3_600_000;
  await publish(server, 5);
  await eventually(async () => (received.length === 5 ? true : undefined), 8_000, 'the fifth delivery');
  assert.equal(received[4], 'Bearer tok_3');

  // A wrong client secret: the attempt fails with auth_failed and the token server's reason, and is retried.
  const patched = await server.call('PATCH', `/v1/apps/acme/endpoints/${created.body.id}`, {
    auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'client', clientSecret: 'wrong' },
  });
  assert.equal(patched.status, 200);
  assert.ok(!JSON.stringify(patched.body).includes('wrong'));
  // The worker reads an endpoint's credentials again after 5 s (of its clock): a change made anywhere applies then.
  clock.now += 6_000;
  await publish(server, 6);
  const failed = await newestWithError(server);
  assert.equal(failed.attempts[0].error.code, 'auth_failed');
  assert.match(failed.attempts[0].error.message, /answered 401 without a token: invalid_client/);
  assert.equal(failed.status, 'pending', 'retried like any failure');
});

test('OAuth: a token server that is down is auth_failed, and nothing reaches the endpoint', async (t) => {
  const { server } = await setup(t);
  const tokens = await startTokenServer(t);
  tokens.setDown(true);
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const auth = { type: 'oauth2', tokenUrl: tokens.url, clientId: 'client', clientSecret: 's3cret' };
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url, auth })).status, 201);
  await publish(server);
  const delivery = await attempts(server, 1);
  assert.equal(delivery.attempts[0].error.code, 'auth_failed');
  assert.match(delivery.attempts[0].error.message, /answered 503 without a token: temporarily_unavailable/);
  assert.equal(receiver.requests.length, 0);
  // A token URL that the SSRF rules refuse is refused when it is set.
  const refused = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: receiver.url,
    auth: { ...auth, tokenUrl: 'http://169.254.169.254/token' },
  });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'url_not_allowed');
});

test('mTLS: the endpoint’s client certificate is presented, its CA trusted for that endpoint; another certificate is refused', async (t) => {
  const { server, clock } = await setup(t);
  const ca = certificateAuthority();
  const serverPem = ca.issue('receiver', 'server');
  const subjects: string[] = [];
  const https = createHttpsServer(
    { key: serverPem.privateKey, cert: serverPem.certificate, ca: ca.certificate, requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      subjects.push(String((request.socket as TLSSocket).getPeerCertificate().subject.CN));
      response.writeHead(200).end('ok');
    },
  );
  https.on('tlsClientError', () => {});
  const host = await listening(https, t);
  const client = ca.issue('hookd sender', 'client');
  const created = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: `https://${host}/hook`,
    clientCertificate: { certificate: client.certificate, privateKey: client.privateKey, ca: ca.certificate },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.clientCertificate.subject, 'CN=hookd sender');
  assert.equal(created.body.clientCertificate.customCa, true);
  assert.ok(!JSON.stringify(created.body).includes('PRIVATE KEY'));
  await publish(server);
  const delivered = await attempts(server, 1);
  assert.equal(delivered.attempts[0].responseStatus, 200);
  assert.deepEqual(subjects, ['hookd sender']);

  // A certificate the receiver's CA did not sign: the handshake fails, the attempt says so.
  const stranger = selfSigned('stranger');
  await server.call('PATCH', `/v1/apps/acme/endpoints/${created.body.id}`, {
    clientCertificate: { ...stranger, ca: ca.certificate },
  });
  clock.now += 6_000;
  await publish(server, 2);
  const failed = await newestWithError(server);
  assert.match(failed.attempts[0].error.code, /^(tls_failed|connection_reset|connection_closed)$/);
  assert.deepEqual(subjects, ['hookd sender'], 'the stranger got no request through');
});

test('the dashboard and an app’s portal set and remove credentials; the page never shows a secret', async (t) => {
  const { server, clock } = await setup(t);
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const ep = (await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url })).body;
  const path = `/ui/apps/${ep.appId}/endpoints/${ep.id}`;
  const admin = await signIn(server.url, server.hookd.adminToken ?? '');
  const post = (cookie: string, csrf: string, fields: Record<string, string>) =>
    postForm(server.url, `${path}/credentials`, cookie, { _csrf: csrf, ...fields });

  const basic = await post(admin.cookie, admin.csrf, { part: 'auth', type: 'basic', username: 'hookd', password: 'pa55' });
  assert.equal(basic.status, 303);
  const headers = await post(admin.cookie, admin.csrf, { part: 'headers', headers: 'X-Api-Key: key-9\nX-Team: pay' });
  assert.equal(headers.status, 303);
  let shown = (await server.call('GET', `/v1/apps/acme/endpoints/${ep.id}`)).body;
  assert.deepEqual(shown.auth, { type: 'basic', username: 'hookd' });
  assert.deepEqual(shown.secretHeaders, ['X-Api-Key', 'X-Team']);
  const page = await (await fetch(server.url + path, { headers: { cookie: admin.cookie } })).text();
  assert.ok(!page.includes('pa55') && !page.includes('key-9'), 'no secret on the page, not even in a form');
  const bad = await post(admin.cookie, admin.csrf, { part: 'headers', headers: 'no colon here' });
  assert.equal(bad.status, 400);

  // The customer, through a portal link, changes their own endpoint's credentials the same way.
  const { url } = (await server.call('POST', '/v1/apps/acme/portal-link', {})).body;
  const portalCookie = ((await fetch(url, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const portalCsrf = await csrfOf(server.url, portalCookie, path);
  assert.equal((await post(portalCookie, portalCsrf, { part: 'auth', type: 'none' })).status, 303);
  assert.equal((await post(portalCookie, portalCsrf, { part: 'headers', headers: '' })).status, 303);
  shown = (await server.call('GET', `/v1/apps/acme/endpoints/${ep.id}`)).body;
  assert.equal(shown.auth, null);
  assert.deepEqual(shown.secretHeaders, []);

  // A delivery after the change carries none of it (the worker reads credentials again after 5 s of its clock).
  clock.now += 6_000;
  await publish(server);
  const [request] = await receiver.waitFor(1);
  assert.equal(request?.headers.authorization, undefined);
  assert.equal(request?.headers['x-api-key'], undefined);
});
