/**
 * An endpoint's attempts log over real HTTP, on SQLite and PostgreSQL: newest first in cursor pages, filtered by
 * outcome, error code and time; each attempt keeps the response's headers (bounded, never a cookie) and the message's
 * payload is what was sent (requestBody null).
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { createHookdClient } from '@hookd/sdk';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { startReceiver } from './helpers/receiver.js';
import { signIn } from './helpers/ui.js';

const APP = '/v1/apps/acme';

async function setup(t: TestContext, store: 'SQLite' | 'PostgreSQL') {
  const db = store === 'PostgreSQL' ? await testDatabase(t) : null;
  if (store === 'PostgreSQL' && !db) return null;
  const databaseUrl = await db?.freshSchema();
  const server = await startTestHookd(databaseUrl ? { databaseUrl } : {});
  // A message with data.fail is answered 500 with a cookie and a header of its own, every time: its delivery fails
  // after the schedule's three attempts.
  const receiver = await startReceiver((request) =>
    JSON.parse(request.body).data.fail
      ? { status: 500, body: 'database down', headers: { 'x-request-id': 'r-1', 'set-cookie': 'session=secret' } }
      : { status: 200 },
  );
  t.after(async () => {
    await receiver.close();
    await server.close();
    await db?.drop();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const endpoint = (await server.call('POST', `${APP}/endpoints`, { url: receiver.url })).body.id as string;
  return { server, receiver, endpoint, log: `${APP}/endpoints/${endpoint}/attempts` };
}

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  test(`on ${store}, the attempts log pages newest first, filters by outcome, code and time, and keeps response headers`, async (t) => {
    const s = await setup(t, store);
    if (!s) return;
    const { server, log } = s;
    await server.call('POST', `${APP}/events`, { type: 'order.created', data: { n: 1 } });
    await s.receiver.waitFor(1);
    const failing = await server.call('POST', `${APP}/events`, { type: 'order.created', data: { n: 2, fail: true } });
    const all = await eventually(
      async () => {
        const { body } = await server.call('GET', `${log}?limit=10`);
        return body.data.length === 4 && body.data[0].deliveryStatus === 'failed' ? body.data : undefined;
      },
      10_000,
      'one success and three failed attempts',
    );

    assert.deepEqual(
      all.map((a: { number: number; responseStatus: number }) => [a.number, a.responseStatus]),
      [
        [3, 500],
        [2, 500],
        [1, 500],
        [1, 200],
      ],
      'newest first',
    );
    const [last] = all;
    assert.equal(last.messageId, failing.body.id);
    assert.equal(last.outcome, 'failed');
    assert.deepEqual(last.error, { code: 'http_status', message: 'HTTP 500' });
    assert.equal(last.responseBody, 'database down');
    assert.equal(last.responseHeaders['x-request-id'], 'r-1');
    assert.equal(last.responseHeaders['set-cookie'], undefined, 'a cookie is never kept');
    assert.equal(last.requestBody, null, 'the payload was sent as stored');
    assert.match(last.requestHeaders['webhook-signature'], /^v1,/);
    const delivery = (await server.call('GET', `${APP}/deliveries/${last.deliveryId}`)).body;
    assert.deepEqual(delivery.attempts[2].responseHeaders, last.responseHeaders, 'the delivery shows the same headers');

    const first = await server.call('GET', `${log}?limit=3`);
    assert.equal(first.body.data.length, 3);
    const second = await server.call('GET', `${log}?limit=3&after=${first.body.nextCursor}`);
    assert.deepEqual(
      [...first.body.data, ...second.body.data].map((a: { id: string }) => a.id),
      all.map((a: { id: string }) => a.id),
      'the pages cover the log once',
    );
    assert.equal(second.body.nextCursor, null);

    const ids = async (query: string) => (await server.call('GET', `${log}?${query}`)).body.data.map((a: { id: string }) => a.id);
    assert.deepEqual(await ids('status=succeeded'), [all[3].id]);
    assert.deepEqual(
      await ids('status=failed'),
      all.slice(0, 3).map((a: { id: string }) => a.id),
    );
    assert.deepEqual(await ids('code=http_status&limit=1'), [all[0].id]);
    assert.deepEqual(await ids('code=connection_refused'), []);
    assert.deepEqual(await ids(`since=${encodeURIComponent(all[1].startedAt)}`), [all[0].id, all[1].id]);
    assert.deepEqual(await ids(`until=${encodeURIComponent(all[2].startedAt)}`), [all[3].id]);
    const client = createHookdClient({ baseUrl: server.url, token: server.hookd.adminToken ?? '' });
    const page = await client.endpoints.attempts('acme', s.endpoint, { status: 'failed', code: 'http_status', limit: 2 });
    assert.deepEqual(
      page.data.map((a) => a.id),
      all.slice(0, 2).map((a: { id: string }) => a.id),
      'the SDK client sends the filters',
    );
    assert.equal((await server.call('GET', `${log}?code=teapot`)).status, 400);
    assert.equal((await server.call('GET', `${APP}/endpoints/ep_nope/attempts`)).status, 404);
    if (store === 'SQLite') {
      const doc = (await server.call('GET', '/openapi.json')).body;
      const route = doc.paths['/v1/apps/{app}/endpoints/{ep}/attempts'].get;
      assert.deepEqual(
        route.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name),
        ['limit', 'after', 'status', 'code', 'since', 'until'],
      );
      assert.ok(route.responses['200'].content['application/json'].schema.properties.data.items.properties.responseHeaders);
    }
  });
}

test('the dashboard’s attempts log pages older and back with Previous, one page at a time', async (t) => {
  const s = await setup(t, 'SQLite');
  if (!s) return;
  for (let i = 0; i < 110; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) => s.server.call('POST', `${APP}/events`, { type: 'order.created', data: { n: i + j } })),
    );
  }
  await s.receiver.waitFor(110, 20_000);
  await eventually(
    async () => ((await s.server.call('GET', `${s.log}?limit=110`)).body.data.length === 110 ? true : undefined),
    10_000,
  );
  const appId = (await s.server.call('GET', APP)).body.id as string;
  const { cookie } = await signIn(s.server.url, s.server.hookd.adminToken ?? '');
  const open = async (path: string) => {
    const text = await (await fetch(s.server.url + path, { headers: { cookie } })).text();
    const link = (rel: string) => new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(text)?.[1]?.replaceAll('&amp;', '&');
    return { ids: [...text.matchAll(/<details id="(atm_[^"]+)"/g)].map((m) => m[1]), next: link('next'), prev: link('prev') };
  };
  const first = await open(`/ui/apps/${appId}/endpoints/${s.endpoint}/attempts`);
  assert.equal(first.ids.length, 50);
  assert.equal(first.prev, undefined, 'no Previous on the first page');
  const second = await open(first.next as string);
  const third = await open(second.next as string);
  assert.equal(third.ids.length, 10);
  assert.equal(third.next, undefined);
  assert.deepEqual((await open(third.prev as string)).ids, second.ids, 'Previous from the third page is the second');
  assert.deepEqual((await open(second.prev as string)).ids, first.ids, 'and from the second, the first');
});
