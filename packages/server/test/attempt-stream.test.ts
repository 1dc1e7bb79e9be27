/** The attempt stream behind `hookd tail` and the dashboard's live updates, read over real HTTP. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

/** Reads the stream's `event:` lines for `ms`, then disconnects. */
async function eventsWithin(url: string, token: string, ms: number): Promise<string[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const events: string[] = [];
  const timer = setTimeout(() => controller.abort(), ms);
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      for (const line of decoder.decode(chunk, { stream: true }).split('\n')) if (line.startsWith('event:')) events.push(line);
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

test('a stream that has been quiet for long sends its last attempts once, not over and over', async (t) => {
  let now = Date.now();
  const receiver = await startReceiver();
  const hookd = await startTestHookd({}, { clock: () => now });
  t.after(() => Promise.all([hookd.close(), receiver.close()]));
  await hookd.call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await hookd.call('POST', '/v1/apps/shop/endpoints', { url: receiver.url });
  const stream = `${hookd.url}/v1/apps/shop/attempts/stream`;
  const first = eventsWithin(stream, hookd.hookd.adminToken as string, 3_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await hookd.call('POST', '/v1/apps/shop/events', { type: 'order.created', data: {} });
  await receiver.waitFor(1);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  // An hour passes with nothing new while the stream stays open.
  now += 3_600_000;
  assert.deepEqual(await first, ['event: attempt']);
});
