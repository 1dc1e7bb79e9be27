/**
 * Paused endpoints over real HTTP with a running worker, on SQLite and PostgreSQL: held deliveries stay pending with
 * their attempts untouched, however much time passes, then flow on resume in publish order for a FIFO endpoint;
 * disabling still fails them, and enabling counts and replays what failed while disabled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { createTestDatabase, reachPostgres, type TestDatabase } from './helpers/postgres.js';
import { type Receiver, type Responder, startReceiver } from './helpers/receiver.js';

const APP = '/v1/apps/acme';

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  describe(`paused endpoints on ${store}`, async () => {
    const adminUrl = store === 'PostgreSQL' ? await reachPostgres() : null;
    if (store === 'PostgreSQL' && adminUrl === null && process.env.CI !== 'true') {
      test('PostgreSQL', { skip: 'no PostgreSQL answered' }, () => {});
      return;
    }
    // Time is the test's: a retry a minute away falls due when the test says, with no waiting.
    const clock = { now: Date.now() };
    const firstAttempts = new Set<number>();
    // Each message's first attempt fails when its data says so; every other attempt succeeds.
    const respond: Responder = (request) => {
      const { n, failFirst } = JSON.parse(request.body).data as { n: number; failFirst?: boolean };
      const first = !firstAttempts.has(n);
      firstAttempts.add(n);
      return { status: failFirst && first ? 500 : 200 };
    };
    let db: TestDatabase | null = null;
    let server: TestHookd;
    let receiver: Receiver;
    before(async () => {
      db = adminUrl === null && store === 'SQLite' ? null : await createTestDatabase(adminUrl ?? undefined);
      const databaseUrl = await db?.freshSchema();
      const settings = { retrySchedule: '0,1m', ...(databaseUrl ? { databaseUrl } : {}) };
      [server, receiver] = await Promise.all([startTestHookd(settings, { clock: () => clock.now }), startReceiver(respond)]);
      assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
    });
    after(async () => {
      await receiver?.close();
      await server?.close();
      await db?.drop();
    });

    const publish = async (type: string, data: Record<string, unknown>) =>
      (await server.call('POST', `${APP}/events`, { type, data })).body.id as string;
    const deliveryOf = async (messageId: string) =>
      (await server.call('GET', `${APP}/events/${messageId}/deliveries`)).body.data[0];
    const received = (type: string) =>
      receiver.requests
        .map((r) => JSON.parse(r.body))
        .filter((body) => body.type === type)
        .map((body) => body.data.n);

    test('held deliveries stay pending with their attempts untouched while time passes, then flow in FIFO order', async () => {
      const { body: ep } = await server.call('POST', `${APP}/endpoints`, { url: receiver.url, fifo: true, events: ['fifo.*'] });
      const ids = [await publish('fifo.item', { n: 0, failFirst: true })];
      await eventually(async () => ((await deliveryOf(ids[0] as string)).attemptCount === 1 ? true : undefined));
      const paused = await server.call('POST', `${APP}/endpoints/${ep.id}/pause`);
      assert.deepEqual([paused.status, paused.body.paused], [200, true]);
      for (let n = 1; n <= 3; n++) ids.push(await publish('fifo.item', { n }));

      clock.now += 10 * 60_000; // the first message's retry is long due
      await server.idle();
      assert.deepEqual(received('fifo.item'), [0], 'nothing sent while paused');
      const held = await Promise.all(ids.map(deliveryOf));
      assert.deepEqual(
        held.map((d) => [d.status, d.attemptCount]),
        [
          ['pending', 1],
          ['pending', 0],
          ['pending', 0],
          ['pending', 0],
        ],
      );

      const resumed = await server.call('POST', `${APP}/endpoints/${ep.id}/resume`);
      assert.deepEqual([resumed.status, resumed.body.paused, resumed.body.pausedAt], [200, false, null]);
      await eventually(() => (received('fifo.item').length === 5 ? true : undefined));
      assert.deepEqual(received('fifo.item'), [0, 0, 1, 2, 3], 'the retry first, then in publish order');
      // The last attempt is answered before it is recorded.
      const done = await eventually(async () => {
        const deliveries = await Promise.all(ids.map(deliveryOf));
        return deliveries.some((d) => d.status === 'pending') ? undefined : deliveries;
      });
      assert.deepEqual(
        done.map((d) => [d.status, d.attemptCount]),
        [
          ['succeeded', 2],
          ['succeeded', 1],
          ['succeeded', 1],
          ['succeeded', 1],
        ],
      );
      const audit = (await server.call('GET', `/v1/audit-log?target=${ep.id}`)).body.data;
      assert.deepEqual(audit.map((e: { action: string }) => e.action).sort(), [
        'endpoint.created',
        'endpoint.paused',
        'endpoint.resumed',
      ]);
    });

    test('created paused; disabling fails what it held; enable counts it, and replays it on request', async () => {
      const created = await server.call('POST', `${APP}/endpoints`, { url: receiver.url, events: ['held.*'], paused: true });
      assert.deepEqual([created.status, created.body.paused], [201, true]);
      const ep = created.body;
      for (let n = 0; n < 2; n++) await publish('held.item', { n });
      await server.idle();
      assert.deepEqual(received('held.item'), []);
      const notDisabled = await server.call('POST', `${APP}/endpoints/${ep.id}/enable`, { dryRun: true });
      assert.equal(notDisabled.body.failedWhileDisabled, 0);

      await server.call('PATCH', `${APP}/endpoints/${ep.id}`, { disabled: true });
      const stats = (await server.call('GET', `${APP}/endpoints/${ep.id}/stats`)).body.deliveries;
      assert.deepEqual([stats.pending, stats.failed], [0, 2], 'disable still fails pending deliveries');
      const dry = await server.call('POST', `${APP}/endpoints/${ep.id}/enable`, { dryRun: true });
      assert.deepEqual([dry.body.failedWhileDisabled, dry.body.replayed, dry.body.endpoint.disabled], [2, 0, true]);

      const enabled = await server.call('POST', `${APP}/endpoints/${ep.id}/enable`, { replayFailedWhileDisabled: true });
      assert.deepEqual([enabled.body.failedWhileDisabled, enabled.body.replayed], [2, 2]);
      assert.deepEqual([enabled.body.endpoint.disabled, enabled.body.endpoint.paused], [false, true], 'still paused');
      await server.idle();
      assert.deepEqual(received('held.item'), [], 'replayed, and held by the pause');
      await server.call('POST', `${APP}/endpoints/${ep.id}/resume`);
      await eventually(() => (received('held.item').length === 2 ? true : undefined));
      assert.deepEqual(received('held.item').sort(), [0, 1]);
    });
  });
}
