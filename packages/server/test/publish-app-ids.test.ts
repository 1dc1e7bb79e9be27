/**
 * Publishing keeps app ids for a few seconds (actions/apps.ts cachedAppId) instead of reading the app per request. What
 * that must never change: an app deleted by another process meanwhile answers app_not_found (not a 500, nothing
 * stored), a uid changed or an app deleted here applies to the next publish at once, and an app token still reaches
 * only its own app.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callApi, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';

const event = { type: 'order.paid', data: { id: 1 } };

async function checkBothWays(settings: Record<string, string>): Promise<void> {
  const server = await startTestHookd({ ...settings, role: 'api' });
  try {
    await publishThroughKeptIds(server);
  } finally {
    await server.close();
  }
}

async function publishThroughKeptIds(server: TestHookd): Promise<void> {
  const publish = (app: string) => server.call('POST', `/v1/apps/${app}/events`, event);
  const acme = (await server.call('POST', '/v1/apps', { name: 'Acme', uid: 'acme' })).body.id as string;
  assert.equal((await publish('acme')).status, 202);

  // Deleted straight in the store, as another process sharing the database would: the kept id meets the foreign key.
  assert.equal(await server.hookd.store.deleteApp(acme), true);
  const gone = await publish('acme');
  assert.equal(gone.status, 404, JSON.stringify(gone.body));
  assert.equal(gone.body.error.code, 'app_not_found');

  // Changed through this process: the old uid stops at once, the new one publishes.
  const other = (await server.call('POST', '/v1/apps', { name: 'Other', uid: 'other' })).body.id as string;
  assert.equal((await publish('other')).status, 202);
  assert.equal((await server.call('PATCH', `/v1/apps/${other}`, { uid: 'renamed' })).status, 200);
  assert.equal((await publish('other')).body.error.code, 'app_not_found');
  assert.equal((await publish('renamed')).status, 202);

  // An app token keeps to its app, whatever ids the process keeps.
  const token = (await server.call('POST', `/v1/apps/${other}/tokens`, { name: 'ci' })).body.token as string;
  const third = (await server.call('POST', '/v1/apps', { name: 'Third', uid: 'third' })).body.id as string;
  assert.equal((await publish('third')).status, 202);
  for (const app of ['third', third]) {
    const refused = await callApi(server.url, token, 'POST', `/v1/apps/${app}/events`, event);
    assert.equal(refused.body.error.code, 'app_not_found');
  }
  assert.equal((await callApi(server.url, token, 'POST', '/v1/apps/renamed/events', event)).status, 202);

  const stored = await server.call('GET', `/v1/apps/${other}/events`);
  assert.equal(stored.body.data.length, 3);
}

test('publishing through kept app ids, on SQLite', () => checkBothWays({}));

test('publishing through kept app ids, on PostgreSQL', async (t) => {
  const database = await testDatabase(t);
  if (!database) return;
  t.after(() => database.drop());
  await checkBothWays({ databaseUrl: database.url });
});
