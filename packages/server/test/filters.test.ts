/**
 * Endpoint content filters end to end, over real HTTP on SQLite and PostgreSQL: checked when saved, applied at
 * fan-out (a message that does not match gets a skipped delivery with the reason, and nothing is sent), and tried by
 * the test-filter route without sending.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { createHookdClient } from '@hookd/sdk';
import { startTestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { startReceiver } from './helpers/receiver.js';
import { postForm, signIn } from './helpers/ui.js';

const APP = '/v1/apps/acme';
const PAID_OVER_100 = { type: 'invoice.paid', 'data.amount': { $gt: 100 } };

async function setup(t: TestContext, store: 'SQLite' | 'PostgreSQL') {
  const db = store === 'PostgreSQL' ? await testDatabase(t) : null;
  if (store === 'PostgreSQL' && !db) return null;
  const databaseUrl = await db?.freshSchema();
  const server = await startTestHookd(databaseUrl ? { databaseUrl } : {});
  const all = await startReceiver();
  const big = await startReceiver();
  t.after(async () => {
    await Promise.all([all.close(), big.close()]);
    await server.close();
    await db?.drop();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  const plain = await server.call('POST', `${APP}/endpoints`, { url: all.url });
  const filtered = await server.call('POST', `${APP}/endpoints`, { url: big.url, filter: PAID_OVER_100 });
  assert.equal(filtered.status, 201, JSON.stringify(filtered.body));
  assert.deepEqual(filtered.body.filter, PAID_OVER_100);
  return { server, all, big, plainId: plain.body.id as string, filteredId: filtered.body.id as string };
}

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  test(`on ${store}, a message the filter does not match goes only to the unfiltered endpoint and is skipped, with the reason, for the filtered one`, async (t) => {
    const s = await setup(t, store);
    if (!s) return;
    const paid = await s.server.call('POST', `${APP}/events`, { type: 'invoice.paid', data: { amount: 250 } });
    assert.deepEqual([paid.body.deliveries, paid.body.skipped], [2, 0]);
    const small = await s.server.call('POST', `${APP}/events`, { type: 'invoice.paid', data: { amount: 40 } });
    assert.deepEqual([small.body.deliveries, small.body.skipped], [1, 1]);
    await s.all.waitFor(2);
    await s.big.waitFor(1);
    await s.server.idle();
    assert.equal(s.all.requests.length, 2);
    assert.deepEqual(
      s.big.requests.map((r) => JSON.parse(r.body).data.amount),
      [250],
      'the filtered endpoint got only the match',
    );

    const deliveries = (await s.server.call('GET', `${APP}/events/${small.body.id}/deliveries`)).body.data;
    const skipped = deliveries.find((d: { endpointId: string }) => d.endpointId === s.filteredId);
    assert.equal(skipped.status, 'skipped');
    assert.equal(skipped.skipReason, 'filter: did not match');
    assert.equal(skipped.attemptCount, 0);
    const retry = await s.server.call('POST', `${APP}/deliveries/${skipped.id}/retry`);
    assert.equal(retry.status, 409);
    assert.equal(retry.body.error.code, 'delivery_skipped');
    const stats = await s.server.call('GET', `${APP}/endpoints/${s.filteredId}/stats`);
    assert.deepEqual(stats.body.deliveries, { pending: 0, succeeded: 1, failed: 0, skipped: 1 });
    assert.equal(stats.body.failingSince, null, 'a skip is no failure');

    // Why didn't it get the small one? The past message, tried again without sending.
    const why = await s.server.call('POST', `${APP}/endpoints/${s.filteredId}/test-filter`, { messageId: small.body.id });
    assert.equal(why.status, 200, JSON.stringify(why.body));
    assert.deepEqual(why.body, {
      matches: false,
      filter: PAID_OVER_100,
      failing: { path: 'filter.data.amount', clause: { 'data.amount': { $gt: 100 } } },
      reason: 'filter: did not match',
    });
    await s.server.idle();
    assert.equal(s.big.requests.length, 1, 'testing sent nothing');

    // Removing the filter delivers the next message of any amount.
    assert.equal((await s.server.call('PATCH', `${APP}/endpoints/${s.filteredId}`, { filter: null })).status, 200);
    const next = await s.server.call('POST', `${APP}/events`, { type: 'invoice.paid', data: { amount: 1 } });
    assert.deepEqual([next.body.deliveries, next.body.skipped], [2, 0]);
    await s.big.waitFor(2);
  });
}

test('a filter hookd will not run is refused when saved, with the path to the fault', async (t) => {
  const s = await setup(t, 'SQLite');
  assert.ok(s);
  const refusals: [unknown, string][] = [
    [{ 'data.amount': { $foo: 1 } }, 'filter.data.amount.$foo'],
    [{ $where: 'true' }, 'filter.$where'],
    [{ 'data.name': { $regex: '(a+)+$' } }, 'filter.data.name.$regex'],
    [{ 'data.name': { $regex: '(a)\\1' } }, 'filter.data.name.$regex'],
    [{ 'data.name': { $regex: 'a'.repeat(300) } }, 'filter.data.name.$regex'],
    [{ $or: [{ type: 'a' }, { 'data.x': { $in: 3 } }] }, 'filter.$or.1.data.x.$in'],
    [{ 'data.blob': 'x'.repeat(5000) }, 'filter'],
  ];
  for (const [filter, path] of refusals) {
    const created = await s.server.call('POST', `${APP}/endpoints`, { url: s.all.url, filter });
    assert.equal(created.status, 422, JSON.stringify(filter));
    assert.equal(created.body.error.code, 'filter_invalid');
    assert.equal(created.body.error.details[0].path, path, created.body.error.message);
    const changed = await s.server.call('PATCH', `${APP}/endpoints/${s.plainId}`, { filter });
    assert.equal(changed.body.error.code, 'filter_invalid');
  }
});

test('test-filter tries an unsaved filter on a sample event or payload', async (t) => {
  const s = await setup(t, 'SQLite');
  assert.ok(s);
  const route = `${APP}/endpoints/${s.plainId}/test-filter`;
  const sample = { event: { type: 'invoice.paid', data: { amount: 150, customer: { email: 'a@acme.com' } } } };
  const noFilter = await s.server.call('POST', route, sample);
  assert.deepEqual(noFilter.body, { matches: true, filter: null, failing: null, reason: null });
  const regex = { filter: { 'data.customer.email': { $regex: '@ACME\\.com$', $options: 'i' } }, ...sample };
  assert.equal((await s.server.call('POST', route, regex)).body.matches, true);
  const either = { $or: [{ type: 'invoice.void' }, { 'data.amount': { $lt: 100 } }] };
  const failing = await s.server.call('POST', route, {
    filter: either,
    payload: { type: 'invoice.paid', data: { amount: 150 } },
  });
  assert.equal(failing.body.matches, false);
  assert.equal(failing.body.failing.path, 'filter.$or');
  const two = await s.server.call('POST', route, { ...sample, payload: {} });
  assert.equal(two.status, 400);
  const bad = await s.server.call('POST', route, { filter: { x: { $nope: 1 } }, ...sample });
  assert.equal(bad.body.error.code, 'filter_invalid');
  const client = createHookdClient({ baseUrl: s.server.url, token: s.server.hookd.adminToken ?? '' });
  const viaSdk = await client.endpoints.testFilter('acme', s.filteredId, {
    event: { type: 'invoice.paid', data: { amount: 101 } },
  });
  assert.equal(viaSdk.matches, true);
});

test('a source’s destination with a filter gets only the requests whose parsed body and query match; the rest are skipped', async (t) => {
  const s = await setup(t, 'SQLite');
  assert.ok(s);
  const source = await s.server.call('POST', '/v1/sources', { name: 'svc', scheme: 'none', destinations: [{ url: s.big.url }] });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  const appId = source.body.appId as string;
  const [destination] = (await s.server.call('GET', `/v1/apps/${appId}/endpoints`)).body.data;
  const filter = { 'body.action': 'opened', 'headers.content-type': { $regex: '^application/json' }, 'query.tenant': 'acme' };
  assert.equal((await s.server.call('PATCH', `/v1/apps/${appId}/endpoints/${destination.id}`, { filter })).status, 200);
  const ingest = (body: unknown, tenant = 'acme') =>
    fetch(`${s.server.url}/in/svc?tenant=${tenant}&tenant=other`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await ingest({ action: 'closed' })).status, 200);
  assert.equal((await ingest({ action: 'opened' }, 'globex')).status, 200);
  assert.equal((await ingest({ action: 'opened' })).status, 200);
  const [arrived] = await s.big.waitFor(1);
  await s.server.idle();
  assert.equal(s.big.requests.length, 1);
  assert.deepEqual(JSON.parse(arrived?.body ?? ''), { action: 'opened' });
  const skipped = (await s.server.call('GET', `/v1/apps/${appId}/deliveries?status=skipped`)).body.data;
  assert.equal(skipped.length, 2);
  assert.ok(skipped.every((d: { skipReason: string }) => d.skipReason === 'filter: did not match'));
  // The query is kept with the message: a test on the past request sees what its fan-out saw.
  const messages = (await s.server.call('GET', `/v1/apps/${appId}/events`)).body.data as { id: string }[];
  const verdicts = [];
  for (const message of messages) {
    const route = `/v1/apps/${appId}/endpoints/${destination.id}/test-filter`;
    verdicts.push((await s.server.call('POST', route, { messageId: message.id })).body.matches);
  }
  assert.deepEqual(verdicts.sort(), [false, false, true]);
});

test('the endpoint screen saves a filter from its form and tests one on a sample, over plain HTTP forms', async (t) => {
  const s = await setup(t, 'SQLite');
  assert.ok(s);
  const { cookie, csrf } = await signIn(s.server.url, 'test-admin-token-0123456789abcdefghij');
  const screen = `/ui/apps/acme/endpoints/${s.plainId}`;
  const saved = await postForm(s.server.url, `${screen}/edit`, cookie, {
    _csrf: csrf,
    url: s.all.url,
    filter: '{"data.amount": {"$lt": 10}}',
  });
  assert.equal(saved.status, 303);
  assert.deepEqual((await s.server.call('GET', `${APP}/endpoints/${s.plainId}`)).body.filter, { 'data.amount': { $lt: 10 } });
  const notJson = await postForm(s.server.url, `${screen}/edit`, cookie, { _csrf: csrf, url: s.all.url, filter: '{nope' });
  assert.equal(notJson.status, 422);
  const tested = await postForm(s.server.url, `${screen}/test-filter`, cookie, {
    _csrf: csrf,
    filter: '{"data.amount": {"$lt": 10}}',
    sample: '{"type": "invoice.paid", "data": {"amount": 40}}',
    messageId: '',
  });
  assert.equal(tested.status, 200);
  assert.match(await tested.text(), /id="filter-verdict" class="bad">Does not match.*filter\.data\.amount/);
});
