/** The attempt stream behind `hookd tail` and the dashboard's live updates, read over real HTTP. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

/**
 * Opens the stream and reads its `event:` lines into `events` as they come. Resolves once the answer's headers are
 * in: the stream has chosen where it starts, so what happens next is on it.
 */
async function openEvents(url: string, token: string): Promise<{ events: string[]; close(): Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const events: string[] = [];
  const decoder = new TextDecoder();
  const reading = (async () => {
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        for (const line of decoder.decode(chunk, { stream: true }).split('\n')) if (line.startsWith('event:')) events.push(line);
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return {
    events,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** The stream polls every 500 ms when there is nothing new (api/sse.ts): this is three polls. */
const THREE_POLLS_MS = 1_500;

test('a stream that has been quiet for long sends its last attempts once, not over and over', async (t) => {
  let now = Date.now();
  const receiver = await startReceiver();
  const hookd = await startTestHookd({}, { clock: () => now });
  t.after(() => Promise.all([hookd.close(), receiver.close()]));
  await hookd.call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await hookd.call('POST', '/v1/apps/shop/endpoints', { url: receiver.url });
  const stream = `${hookd.url}/v1/apps/shop/attempts/stream`;
  const first = await openEvents(stream, hookd.hookd.adminToken as string);
  t.after(() => first.close());
  await hookd.call('POST', '/v1/apps/shop/events', { type: 'order.created', data: {} });
  await receiver.waitFor(1);
  await eventually(() => (first.events.length > 0 ? true : undefined), 5_000, 'the attempt on the stream');
  // An hour passes with nothing new while the stream stays open.
  now += 3_600_000;
  // What must not happen (the last attempt sent again) has a few polls to happen in: a bounded wait on purpose.
  await new Promise((resolve) => setTimeout(resolve, THREE_POLLS_MS));
  await first.close();
  assert.deepEqual(first.events, ['event: attempt']);
});
