/**
 * The messages screen with 100,000 messages in the store: cursor pages over an index render in well under a second
 * server-side, filters included. Loose bounds: speed proper belongs in the benchmarks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newId } from '../src/domain/index.js';
import { startTestHookd, type TestHookd } from './helpers/hookd.js';
import { signIn } from './helpers/ui.js';

const MESSAGES = 100_000;
let server: TestHookd;
let appId: string;
let cookie: string;

before(async () => {
  // An API-only process: the deliveries seeded stay pending, no worker sends them.
  server = await startTestHookd({ role: 'api' });
  appId = (await server.call('POST', '/v1/apps', { name: 'Busy' })).body.id;
  await server.call('POST', `/v1/apps/${appId}/endpoints`, { url: 'http://127.0.0.1:9/hook', events: ['order.*'] });
  const { store } = server.hookd;
  const start = Date.now() - 86_400_000;
  for (let batch = 0; batch < MESSAGES; batch += 10_000) {
    // Publishes queued in one tick share one transaction (the SQLite store's group commit).
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => {
        const at = start + Math.floor(((batch + i) * 86_400_000) / MESSAGES);
        const type = (batch + i) % 10 === 0 ? 'invoice.paid' : 'order.created';
        return store.publishMessage({
          message: {
            id: newId('msg', at),
            appId,
            type,
            payload: `{"type":"${type}","data":{}}`,
            idempotencyKey: null,
            createdAt: at,
          },
          idempotencyWindowMs: 0,
        });
      }),
    );
  }
  cookie = (await signIn(server.url, 'test-admin-token-0123456789abcdefghij')).cookie;
});

after(() => server?.close());

async function timed(path: string): Promise<{ ms: number; page: string }> {
  const started = performance.now();
  const answer = await fetch(server.url + path, { headers: { cookie } });
  const page = await answer.text();
  assert.equal(answer.status, 200, path);
  return { ms: performance.now() - started, page };
}

test('the messages screen pages 100,000 messages by cursor, quickly, with and without filters', async () => {
  const base = `/ui/apps/${appId}/messages`;
  const first = await timed(base);
  const rows = first.page.match(/<td data-label="Time"><time/g) ?? [];
  assert.equal(rows.length, 50, 'one page of 50');
  const older = /href="([^"]*after=msg_[^"]+)"/.exec(first.page)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(older, 'a link to the next page');
  const second = await timed(older);
  assert.equal((second.page.match(/<td data-label="Time"><time/g) ?? []).length, 50);
  const filtered = await timed(`${base}?type=order.created&status=pending`);
  assert.equal((filtered.page.match(/order\.created<\/td>/g) ?? []).length, 50);
  const none = await timed(`${base}?status=failed`);
  assert.match(none.page, /No messages match/);
  const app = await timed(`/ui/apps/${appId}`);
  const timings = { first: first.ms, second: second.ms, filtered: filtered.ms, failedScan: none.ms, app: app.ms };
  console.log('render times (ms):', Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])));
  for (const [name, ms] of Object.entries({ first: first.ms, second: second.ms, filtered: filtered.ms, app: app.ms })) {
    assert.ok(ms < 1_000, `${name} took ${Math.round(ms)} ms`);
  }
});
