/** The attempt stream behind `hookd tail` and the dashboard's live updates, read over real HTTP. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../sdk/test/support.js';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

/**
 * Opens the stream and reads its `event:` lines into `events` as they come, and counts its heartbeats. Resolves once
 * the answer's headers are in: the stream has chosen where it starts, so what happens next is on it.
 */
async function openEvents(
  url: string,
  token: string,
): Promise<{ events: string[]; heartbeats(): number; close(): Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const events: string[] = [];
  let heartbeats = 0;
  const decoder = new TextDecoder();
  const reading = (async () => {
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
          if (line.startsWith('event:')) events.push(line);
          if (line === ': heartbeat') heartbeats++;
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return {
    events,
    heartbeats: () => heartbeats,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** The stream polls every 500 ms when there is nothing new (api/sse.ts). */
const POLL_MS = 500;

test('a stream that has been quiet for long sends its last attempts once, not over and over', async (t) => {
  const clock = manualClock(Date.now());
  const receiver = await startReceiver();
  const hookd = await startTestHookd({}, { clock: clock.now, timers: clock });
  let first: Awaited<ReturnType<typeof openEvents>> | undefined;
  // The stream first: its time stands still, so it would not see the server closing.
  t.after(async () => {
    await first?.close();
    await Promise.all([hookd.close(), receiver.close()]);
  });
  /** Once the stream waits for its next poll (so the last one has finished and written), lets it come. */
  const nextPoll = async () => {
    await eventually(() => (clock.pending().includes(clock.now() + POLL_MS) ? true : undefined), 5_000, 'the stream to wait');
    clock.advance(POLL_MS);
  };
  await hookd.call('POST', '/v1/apps', { uid: 'shop', name: 'Shop' });
  await hookd.call('POST', '/v1/apps/shop/endpoints', { url: receiver.url });
  const stream = `${hookd.url}/v1/apps/shop/attempts/stream`;
  first = await openEvents(stream, hookd.hookd.adminToken as string);
  await hookd.call('POST', '/v1/apps/shop/events', { type: 'order.created', data: {} });
  await receiver.waitFor(1);
  for (let poll = 0; poll < 20 && first.events.length === 0; poll++) await nextPoll();
  await eventually(() => (first?.events.length ? true : undefined), 5_000, 'the attempt on the stream');
  // An hour passes with nothing new while the stream stays open; then it polls three more times.
  clock.advance(3_600_000);
  for (let poll = 0; poll < 3; poll++) await nextPoll();
  await eventually(() => (clock.pending().includes(clock.now() + POLL_MS) ? true : undefined), 5_000, 'the third poll');
  // A heartbeat written after them arrives after anything they sent.
  const beats = first.heartbeats();
  clock.advance(15_000);
  await eventually(() => (first.heartbeats() > beats ? true : undefined), 5_000, 'a heartbeat');
  await first.close();
  assert.deepEqual(first.events, ['event: attempt']);
});
