/**
 * The audit log through the API: each change of a sequence is recorded with who made it, from where, in which
 * request, with its before and after and never a secret; app tokens read only their own app's entries; no route
 * changes or deletes an entry.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ApiAnswer, callApi, eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';
import { postForm, signIn } from './helpers/ui.js';

let server: TestHookd;
before(async () => {
  server = await startTestHookd();
});
after(() => server.close());

interface Entry {
  id: string;
  at: string;
  actor: string;
  appId: string | null;
  action: string;
  target: string;
  address: string | null;
  requestId: string | null;
  changes: Record<string, { before?: unknown; after?: unknown }>;
}

const ok = (answer: ApiAnswer, status: number) => {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  return answer;
};
const log = async (query = '', token?: string): Promise<{ data: Entry[]; nextCursor: string | null }> =>
  ok(await callApi(server.url, token ?? server.hookd.adminToken, 'GET', `/v1/audit-log${query}`), 200).body;

test('a sequence of changes is recorded in order, with who, where, which request, and no secret', async () => {
  const app = ok(await server.call('POST', '/v1/apps', { name: 'Audited', uid: 'audited' }), 201);
  const endpoint = ok(
    await server.call('POST', '/v1/apps/audited/endpoints', {
      url: 'http://127.0.0.1:9/hook',
      auth: { type: 'basic', username: 'u', password: 'hunter2-password' },
    }),
    201,
  );
  const ep = endpoint.body.id as string;
  const firstSecret = endpoint.body.secret as string;
  const updated = ok(
    await server.call('PATCH', `/v1/apps/audited/endpoints/${ep}`, { url: 'http://127.0.0.1:9/other', description: 'd' }),
    200,
  );
  const rotated = ok(await server.call('POST', `/v1/apps/audited/endpoints/${ep}/rotate-secret`, {}), 200);
  ok(await server.call('DELETE', `/v1/apps/audited/endpoints/${ep}`), 204);
  const signIn = await fetch(`${server.url}/ui/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'token=not-the-admin-token',
    redirect: 'manual',
  });
  assert.equal(signIn.status, 401);

  const { data } = await log();
  assert.deepEqual(
    data.slice(0, 6).map((e) => e.action),
    [
      'session.sign_in_failed',
      'endpoint.deleted',
      'endpoint.secret_rotated',
      'endpoint.updated',
      'endpoint.created',
      'app.created',
    ],
  );
  const [failed, deleted, rotation, update, creation, appCreation] = data as [Entry, Entry, Entry, Entry, Entry, Entry];
  assert.deepEqual(
    { actor: failed.actor, appId: failed.appId, target: failed.target, address: failed.address },
    { actor: 'anonymous', appId: null, target: 'dashboard', address: '127.0.0.1' },
  );
  for (const entry of [deleted, rotation, update, creation]) {
    assert.equal(entry.actor, 'admin');
    assert.equal(entry.appId, app.body.id);
    assert.equal(entry.target, ep);
    assert.equal(entry.address, '127.0.0.1');
    assert.match(entry.requestId ?? '', /^[0-9a-f-]{36}$/);
  }
  assert.equal(appCreation.target, app.body.id);
  assert.equal(appCreation.changes.uid?.after, 'audited');
  assert.equal(update.requestId, updated.headers.get('x-request-id'), 'the answer names the request its entry carries');
  assert.deepEqual(update.changes, {
    url: { before: 'http://127.0.0.1:9/hook', after: 'http://127.0.0.1:9/other' },
    description: { before: '', after: 'd' },
  });
  assert.deepEqual(rotation.changes, { secret: { before: '[masked]', after: '[masked]' } });
  assert.equal(creation.changes.credentials?.after, '[masked]');
  assert.equal(deleted.changes.url?.before, 'http://127.0.0.1:9/other');
  const text = JSON.stringify(data);
  for (const secret of [firstSecret, rotated.body.secret as string, 'hunter2-password']) {
    assert.ok(!text.includes(secret), 'no secret is in the log');
  }
  assert.ok(!text.includes('whsec_'), 'no signing secret of any kind is in the log');
});

test('signing in to the dashboard and out again is recorded, with who and from where', async () => {
  const session = await signIn(server.url, server.hookd.adminToken ?? '');
  const out = await postForm(server.url, '/ui/sign-out', session.cookie, { _csrf: session.csrf });
  assert.equal(out.status, 303);
  const { data } = await log('?actor=dashboard');
  assert.deepEqual(
    data.slice(0, 2).map((e) => ({ action: e.action, appId: e.appId, target: e.target, address: e.address })),
    [
      { action: 'session.signed_out', appId: null, target: 'dashboard', address: '127.0.0.1' },
      { action: 'session.signed_in', appId: null, target: 'dashboard', address: '127.0.0.1' },
    ],
  );
  assert.match(data[0]?.requestId ?? '', /^[0-9a-f-]{36}$/);
});

test('rotating the portal signing key is recorded, without the key', async () => {
  const rotated = await server.call('POST', '/v1/portal-signing-key/rotate', {});
  assert.equal(rotated.status, 204);
  const [entry] = (await log('?action=portal.signing_key_rotated')).data;
  assert.deepEqual(
    { actor: entry?.actor, appId: entry?.appId, target: entry?.target, changes: entry?.changes },
    { actor: 'admin', appId: null, target: 'portal-signing-key', changes: {} },
  );
  assert.equal(entry?.requestId, rotated.headers.get('x-request-id'));
});

test('the log filters by app, actor, action, target and time, and pages by cursor', async () => {
  const app = ok(await server.call('POST', '/v1/apps', { name: 'Filtered' }), 201).body;
  for (const name of ['one', 'two', 'three']) ok(await server.call('PATCH', `/v1/apps/${app.id}`, { name }), 200);
  const byApp = await log(`?app=${app.id}`);
  assert.deepEqual(
    byApp.data.map((e) => [e.action, e.changes.name?.after]),
    [
      ['app.updated', 'three'],
      ['app.updated', 'two'],
      ['app.updated', 'one'],
      ['app.created', 'Filtered'],
    ],
  );
  const updates = await log(`?action=app.updated&target=${app.id}&actor=admin`);
  assert.equal(updates.data.length, 3);
  const first = await log(`?app=${app.id}&limit=3`);
  assert.equal(first.data.length, 3);
  const rest = await log(`?app=${app.id}&limit=3&after=${first.nextCursor}`);
  assert.deepEqual(
    rest.data.map((e) => e.action),
    ['app.created'],
  );
  assert.equal(rest.nextCursor, null);
  const since = byApp.data[1]?.at ?? '';
  assert.deepEqual(
    (await log(`?app=${app.id}&since=${since}`)).data.map((e) => e.changes.name?.after),
    ['three', 'two'],
  );
  assert.equal((await log(`?app=${app.id}&until=${byApp.data[3]?.at}`)).data.length, 0);
});

test("an app token reads its own app's entries only, and its changes are recorded as its own", async () => {
  const alpha = ok(await server.call('POST', '/v1/apps', { name: 'Alpha', uid: 'alpha' }), 201).body;
  const beta = ok(await server.call('POST', '/v1/apps', { name: 'Beta', uid: 'beta' }), 201).body;
  const alphaToken = ok(await server.call('POST', '/v1/apps/alpha/tokens', { name: 'ci' }), 201).body;
  const betaToken = ok(await server.call('POST', '/v1/apps/beta/tokens', {}), 201).body;
  ok(await callApi(server.url, betaToken.token, 'PATCH', '/v1/apps/beta', { name: 'Beta 2' }), 200);
  ok(await callApi(server.url, alphaToken.token, 'PATCH', '/v1/apps/alpha', { name: 'Alpha 2' }), 200);

  const seen = await log('', alphaToken.token);
  assert.ok(seen.data.length >= 3);
  assert.ok(
    seen.data.every((e) => e.appId === alpha.id),
    'nothing of another app, nothing instance-wide',
  );
  assert.deepEqual(
    seen.data.map((e) => [e.action, e.actor]),
    [
      ['app.updated', `token:${alphaToken.id}`],
      ['token.created', 'admin'],
      ['app.created', 'admin'],
    ],
  );
  assert.ok(!JSON.stringify(seen.data).includes(alphaToken.token), 'the token itself is not recorded');
  for (const name of [beta.id, 'beta']) {
    const refused = await callApi(server.url, alphaToken.token, 'GET', `/v1/audit-log?app=${name}`);
    assert.equal(refused.status, 404);
    assert.equal(refused.body.error.code, 'app_not_found');
  }
  assert.equal((await log(`?actor=token:${betaToken.id}`, alphaToken.token)).data.length, 0);
  assert.equal((await log(`?actor=token:${betaToken.id}`)).data.length, 1, 'the admin sees the other app’s entry');
});

test('no route changes or deletes an entry', async () => {
  const [entry] = (await log('?limit=1')).data;
  assert.ok(entry);
  for (const [method, path] of [
    ['PUT', '/v1/audit-log'],
    ['PATCH', '/v1/audit-log'],
    ['DELETE', '/v1/audit-log'],
    ['POST', '/v1/audit-log'],
    ['PUT', `/v1/audit-log/${entry.id}`],
    ['PATCH', `/v1/audit-log/${entry.id}`],
    ['DELETE', `/v1/audit-log/${entry.id}`],
  ] as const) {
    const answer = await server.call(method, path, method === 'DELETE' ? undefined : { actor: 'nobody' });
    assert.ok(answer.status === 404 || answer.status === 405, `${method} ${path} answered ${answer.status}`);
  }
  assert.deepEqual((await log('?limit=1')).data[0], entry, 'the entry is as it was');
});

test('each entry is also published as an audit.entry ops event, once, without its secrets', async (t) => {
  const shipped = await startTestHookd({ opsInterval: '100ms' });
  const receiver = await startReceiver(() => ({ status: 200 }));
  t.after(async () => {
    await shipped.close();
    await receiver.close();
  });
  const subscribed = await shipped.call('POST', '/v1/apps/hookd-ops/endpoints', { url: receiver.url, events: ['audit.entry'] });
  assert.equal(subscribed.status, 201);
  const app = ok(await shipped.call('POST', '/v1/apps', { name: 'Shipped' }), 201).body;
  const events = () => receiver.requests.map((r) => JSON.parse(r.body) as { type: string; data: Entry });
  const appCreated = await eventually(
    () => events().find((e) => e.data.action === 'app.created' && e.data.target === app.id),
    10_000,
    'the app.created entry to arrive as an ops event',
  );
  assert.equal(appCreated.type, 'audit.entry');
  const [entry] = (await callApi(shipped.url, shipped.hookd.adminToken, 'GET', `/v1/audit-log?app=${app.id}`)).body.data;
  assert.deepEqual(appCreated.data, entry, 'the event carries the entry as the API shows it');
  const subscribedEntry = events().find((e) => e.data.action === 'endpoint.created');
  assert.equal(subscribedEntry?.data.changes.secret?.after, '[masked]', 'the ops endpoint’s own creation, masked');
  assert.ok(!receiver.requests.some((r) => r.body.includes(subscribed.body.secret)), 'no secret left hookd');
  await shipped.hookd.auditShipper?.ship();
  const ids = events().map((e) => e.data.id);
  assert.equal(new Set(ids).size, ids.length, 'each entry is published once');
});
