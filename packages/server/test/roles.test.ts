/**
 * `--role api` takes requests and never sends; `--role worker` sends and serves no API, only its
 * health port. Two processes of different roles on one database deliver what the API accepted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

test('an api process stores deliveries that a worker process on the same database sends', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-roles-'));
  const databaseUrl = `sqlite:${join(dataDir, 'hookd.db')}`;
  const receiver = await startReceiver();
  const api = await startTestHookd({ role: 'api', databaseUrl });
  t.after(async () => {
    await api.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  assert.equal(api.hookd.worker, null);

  await api.call('POST', '/v1/apps', { uid: 'roles', name: 'Roles' });
  await api.call('POST', '/v1/apps/roles/endpoints', { url: receiver.url });
  const published = await api.call('POST', '/v1/apps/roles/events', { type: 'role.test', data: {} });
  assert.equal(published.status, 202);
  const ready = await api.call('GET', '/readyz');
  assert.deepEqual(ready.body, { status: 'ready', checks: { store: 'ok', schema: 'ok' } });
  // An api process has no worker to wait on: what must not happen gets a bounded wait, a few poll intervals long.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(receiver.requests.length, 0, 'an api process must never send');

  const worker = await startTestHookd({ role: 'worker', databaseUrl, healthPort: 0 });
  t.after(() => worker.close());
  assert.equal(worker.hookd.api, null);
  assert.equal(worker.hookd.adminToken, null);
  await receiver.waitFor(1);
  assert.equal(receiver.requests[0]?.headers['webhook-id'], published.body.id);
  await eventually(async () => {
    const delivery = await api.call('GET', `/v1/apps/roles/events/${published.body.id}/deliveries`);
    return delivery.body.data[0]?.status === 'succeeded' ? true : undefined;
  });
});

test('a worker process answers only /healthz and /readyz on its health port', async (t) => {
  const worker = await startTestHookd({ role: 'worker', healthPort: 0 });
  t.after(() => worker.close());
  assert.ok(worker.url.startsWith('http://127.0.0.1:'));
  assert.deepEqual((await worker.call('GET', '/healthz')).body, { status: 'ok' });
  assert.deepEqual((await worker.call('GET', '/readyz')).body, {
    status: 'ready',
    checks: { store: 'ok', schema: 'ok', worker: 'ok' },
  });
  assert.equal((await worker.call('GET', '/v1/apps')).status, 404);
  assert.equal((await worker.call('GET', '/openapi.json')).status, 404);
});

test('a worker process without a health port listens nowhere', async (t) => {
  const worker = await startTestHookd({ role: 'worker' });
  t.after(() => worker.close());
  assert.equal(worker.hookd.url, null);
  assert.equal(worker.hookd.worker?.running, true);
});
