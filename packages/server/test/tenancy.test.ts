/**
 * Per-app tokens and tenant isolation: an app token reads and changes nothing of another app, through every
 * route the server has (the test walks fastify's route table, so a new route is covered the day it is added).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { createHookdClient, HookdApiError } from '../../sdk/src/client/index.js';
import { type ApiAnswer, callApi, eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

interface RouteEntry {
  method: string;
  path: string;
}

/** Every route fastify holds, from its printed route tree (HEAD, which mirrors GET, left out). */
export function routeTable(api: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of api.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!match) continue;
    const [, indent, segment, methods] = match as unknown as [string, string, string, string];
    const depth = indent.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + segment;
    stack[depth] = path;
    for (const method of methods.split(', ')) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}

/** A body each route accepts in shape, so a refusal comes from the scope, not from validation. */
function plausibleBody(method: string, path: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (path.endsWith('/events')) return { type: 'probe.sent', data: { n: 1 } };
  if (path.endsWith('/endpoints')) return { url: 'http://127.0.0.1:9/probe' };
  if (path.endsWith('/replay')) return { since: '2000-01-01T00:00:00Z' };
  if (path === '/v1/apps') return { name: 'Probe' };
  if (path.endsWith('/:app')) return { name: 'Renamed by another tenant' };
  if (path.endsWith('/:ep')) return { description: 'changed by another tenant' };
  if (path === '/v1/event-types') return { name: 'probe.sent' };
  if (path.endsWith('/:name')) return { description: 'changed' };
  if (path === '/v1/sources') return { name: 'probe', scheme: 'none', destinations: [{ url: 'http://127.0.0.1:9/' }] };
  return {};
}

interface Tenant {
  app: { id: string; uid: string };
  ep: string;
  msg: string;
  dlv: string;
  token: { id: string; token: string };
}

async function tenant(server: TestHookd, uid: string, url: string): Promise<Tenant> {
  const app = (await server.call('POST', '/v1/apps', { uid, name: uid })).body;
  const ep = (await server.call('POST', `/v1/apps/${uid}/endpoints`, { url })).body;
  const msg = (await server.call('POST', `/v1/apps/${uid}/events`, { type: 'order.created', data: { uid } })).body;
  const dlv = (await server.call('GET', `/v1/apps/${uid}/events/${msg.id}/deliveries`)).body.data[0];
  const token = await server.call('POST', `/v1/apps/${uid}/tokens`, { name: `${uid} service` });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  return { app, ep: ep.id, msg: msg.id, dlv: dlv.id, token: token.body };
}

/** Everything an admin can read of one app: compared before and after the probes. */
async function snapshot(server: TestHookd, t: Tenant): Promise<unknown> {
  const paths = [
    `/v1/apps/${t.app.id}`,
    `/v1/apps/${t.app.id}/endpoints`,
    `/v1/apps/${t.app.id}/endpoints/${t.ep}`,
    `/v1/apps/${t.app.id}/events`,
    `/v1/apps/${t.app.id}/deliveries`,
    `/v1/apps/${t.app.id}/deliveries/${t.dlv}`,
    `/v1/apps/${t.app.id}/tokens`,
    '/v1/apps',
    '/v1/event-types?includeArchived=true',
    '/v1/sources',
  ];
  return Promise.all(paths.map(async (p) => (await server.call('GET', p)).body));
}

async function callWith(server: TestHookd, token: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3_000) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(server.url + path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

test("an app token reaches its own app and nothing of another's, through every /v1 route", { timeout: 60_000 }, async (t) => {
  const receiver = await startReceiver();
  const server = await startTestHookd();
  t.after(() => Promise.all([server.close(), receiver.close()]));
  const a = await tenant(server, 'alpha', receiver.url);
  const b = await tenant(server, 'beta', receiver.url);
  await server.call('POST', '/v1/event-types', { name: 'order.created', description: 'kept' });
  const source = (await server.call('POST', '/v1/sources', { name: 'beta-in', scheme: 'none', destinations: [] })).body;
  // Both deliveries end before the snapshot, so nothing moves while the probes run.
  await eventually(() => (receiver.requests.length >= 2 ? true : undefined), 5_000, 'both deliveries');
  await eventually(async () => {
    const d = await server.call('GET', `/v1/apps/beta/deliveries/${b.dlv}`);
    return d.body.status === 'succeeded' ? true : undefined;
  });
  const before = await snapshot(server, b);

  const routes = routeTable(server.hookd.api as FastifyInstance).filter((r) => r.path.startsWith('/v1/'));
  assert.ok(routes.length >= 30, `the route table lists only ${routes.length} /v1 routes`);
  const ids = (app: string): Record<string, string> => ({
    app,
    ep: b.ep,
    msg: b.msg,
    dlv: b.dlv,
    token: b.token.id,
    name: 'order.created',
    source: source.id ?? 'src_none',
  });
  const fill = (path: string, values: Record<string, string>) =>
    path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
  const answers: string[] = [];
  // Another app's records, addressed by its id, by its uid, and through the caller's own app.
  for (const app of [b.app.id, b.app.uid, a.app.id]) {
    for (const route of routes) {
      if (app === a.app.id && !/:(ep|msg|dlv|token)\b/.test(route.path)) continue;
      // The audit log is not under an app: asking it for another app's entries is the probe.
      const query = route.path === '/v1/audit-log' ? `?app=${encodeURIComponent(app)}` : '';
      const path = fill(route.path, ids(app)) + query;
      const answer = await callWith(server, a.token.token, route.method, path, plausibleBody(route.method, route.path));
      answers.push(`${route.method} ${path} ${answer.status}`);
      assert.ok(
        answer.status === 403 || answer.status === 404,
        `${route.method} ${path} with alpha's token answered ${answer.status} ${JSON.stringify(answer.body)}`,
      );
      assert.match(answer.body.error.code, /^(forbidden|[a-z_]+_not_found)$/, `${route.method} ${path}`);
    }
  }
  t.diagnostic(`${routes.length} /v1 routes walked, ${answers.length} calls with another app's token, all 403/404`);
  assert.deepEqual(await snapshot(server, b), before, "beta's records are unchanged");
  assert.equal(receiver.requests.length, 2, 'no probe made a delivery');

  // The token does reach its own app.
  assert.equal((await callWith(server, a.token.token, 'GET', '/v1/apps/alpha')).status, 200);
  assert.equal((await callWith(server, a.token.token, 'GET', `/v1/apps/${a.app.id}/endpoints/${a.ep}`)).status, 200);
  const own = await callWith(server, a.token.token, 'POST', '/v1/apps/alpha/events', { type: 'order.created', data: {} });
  assert.equal(own.status, 202);
  await receiver.waitFor(3);
});

test('app tokens are shown once, stored as SHA-256 only, listed without the token, and revoked at once', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  const admin = createHookdClient({ baseUrl: server.url, token: 'test-admin-token-0123456789abcdefghij' });
  await admin.apps.create({ uid: 'acme', name: 'Acme' });
  const created = await admin.tokens.create('acme', { name: 'billing service' });
  assert.match(created.token, /^hkd_app_[A-Za-z0-9_-]{43}$/);
  const listed = await admin.tokens.list('acme');
  assert.deepEqual(listed.data, [
    { id: created.id, appId: created.appId, name: 'billing service', canMintPortalLinks: false, createdAt: created.createdAt },
  ]);

  // At rest: the SHA-256 of the token, and the token nowhere in the database file.
  const db = new Database(join(server.dataDir, 'hookd.db'), { readonly: true });
  const rows = db.prepare('SELECT * FROM app_tokens').all() as { hash: string }[];
  db.close();
  assert.deepEqual(
    rows.map((r) => r.hash),
    [createHash('sha256').update(created.token).digest('hex')],
  );
  for (const file of ['hookd.db', 'hookd.db-wal']) {
    const bytes = (() => {
      try {
        return readFileSync(join(server.dataDir, file));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    assert.equal(bytes.includes(created.token), false, `${file} holds the token in clear`);
  }

  const app = createHookdClient({ baseUrl: server.url, token: created.token });
  assert.equal((await app.apps.get('acme')).uid, 'acme');
  for (const call of [() => app.apps.list(), () => app.tokens.list('acme'), () => app.apps.delete('acme')]) {
    await assert.rejects(call, (e: unknown) => e instanceof HookdApiError && e.code === 'forbidden' && e.status === 403);
  }
  await admin.tokens.delete('acme', created.id);
  await assert.rejects(
    () => app.apps.get('acme'),
    (e: unknown) => e instanceof HookdApiError && e.code === 'unauthorized',
  );
  await assert.rejects(
    () => admin.tokens.delete('acme', created.id),
    (e: unknown) => e instanceof HookdApiError && e.code === 'token_not_found',
  );
  // A token that looks like an app token but was never issued is simply not valid.
  const forged = await callApi(server.url, `hkd_app_${'A'.repeat(43)}`, 'GET', '/v1/apps/acme');
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.code, 'unauthorized');
  // Deleting the app deletes its tokens.
  const again = await admin.tokens.create('acme');
  await admin.apps.delete('acme');
  assert.equal((await callApi(server.url, again.token, 'GET', '/v1/apps/acme')).status, 401);
});

test('an app token cannot change its app’s uid, and nobody may take a hookd- uid', async (t) => {
  const server = await startTestHookd();
  t.after(() => server.close());
  const own = await tenant(server, 'alpha', 'http://127.0.0.1:9/');
  await server.call('POST', '/v1/apps', { uid: 'meant-for-a-customer', name: 'Reserved by the operator' });

  // Renaming would take over a uid the operator meant for someone else, and the 409 would tell which uids exist.
  for (const uid of ['meant-for-a-customer', 'free-uid', 'alpha']) {
    const answer = await callWith(server, own.token.token, 'PATCH', '/v1/apps/alpha', { uid });
    assert.equal(answer.status, 403, `${uid}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error.code, 'forbidden');
  }
  assert.equal((await server.call('GET', `/v1/apps/${own.app.id}`)).body.uid, 'alpha');
  // The rest of the app stays the token's to change.
  const renamed = await callWith(server, own.token.token, 'PATCH', '/v1/apps/alpha', { name: 'Alpha Inc' });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.name, 'Alpha Inc');

  for (const uid of ['hookd-ops', 'hookd-anything', 'HOOKD-OPS']) {
    const created = await server.call('POST', '/v1/apps', { uid, name: 'taker' });
    assert.equal(created.status, 422, JSON.stringify(created.body));
    assert.equal(created.body.error.code, 'uid_reserved');
    const patched = await server.call('PATCH', '/v1/apps/alpha', { uid });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.error.code, 'uid_reserved');
  }
  // The admin still renames apps.
  assert.equal((await server.call('PATCH', '/v1/apps/alpha', { uid: 'alpha-2' })).body.uid, 'alpha-2');
});
