/**
 * Store contract, paused endpoints: their deliveries are held (pending, never claimed, attempts untouched) without
 * hiding other endpoints' work, and flow again on resume, oldest first for FIFO; disabling fails what was held, and
 * what failed while disabled is counted and replayed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../src/store/index.js';
import { aMessage, anApp, anAttempt, anEndpoint, claimInput, T0, withOpenStore } from './fixtures.js';

export function pauseContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);
  const publish = (store: Store, appId: string, type: string, at: number) =>
    store.publishMessage({ message: aMessage(appId, type, at), idempotencyWindowMs: 0 });

  test('a paused endpoint’s deliveries are held, its backlog hiding no other’s work, and claimed once resumed', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const held = await store.createEndpoint(anEndpoint(app.id, { events: ['bulk.*'] }));
      const other = await store.createEndpoint(anEndpoint(app.id, { events: ['rare.*'] }));
      await publish(store, app.id, 'bulk.item', T0);
      const [tried] = await store.claimDueDeliveries(claimInput(T0));
      assert.ok(tried);
      const next = { status: 'pending', nextAttemptAt: T0 + 10 } as const;
      const attempt = anAttempt(tried.delivery.id, { responseStatus: 500 });
      await store.recordAttempt({ attempt, leaseToken: tried.leaseToken, next, now: T0 + 1 });
      const paused = await store.updateEndpoint(app.id, held.id, { paused: true }, T0 + 2);
      assert.equal(paused?.pausedAt, T0 + 2);
      // More held deliveries, older than the other endpoint's, than a claim's window reads (both stores' fallbacks).
      for (let i = 1; i <= 40; i++) await publish(store, app.id, 'bulk.item', T0 + i);
      await publish(store, app.id, 'rare.item', T0 + 100);

      const first = await store.claimDueDeliveries(claimInput(T0 + 1000, 5));
      assert.deepEqual(
        first.map((c) => c.endpoint.id),
        [other.id],
      );
      assert.equal((await store.claimDueDeliveries(claimInput(T0 + 1000, 5))).length, 0);
      const pending = await store.listDeliveries(app.id, { endpointId: held.id, status: 'pending' }, { limit: 100 });
      assert.equal(pending.data.length, 41);
      assert.deepEqual(
        pending.data.filter((d) => d.attemptCount > 0).map((d) => [d.id, d.attemptCount, d.attemptsInRun]),
        [[tried.delivery.id, 1, 1]],
        'the attempt made before the pause is the only one',
      );
      assert.equal((await store.findEndpoint(app.id, held.id))?.pausedAt, T0 + 2, 'pausing again keeps the first time');

      await store.updateEndpoint(app.id, held.id, { paused: true }, T0 + 3);
      assert.equal((await store.findEndpoint(app.id, held.id))?.pausedAt, T0 + 2);
      assert.equal((await store.endpointHealth(held.id, T0 + 999)).failingSince, T0, 'failing since its attempt');
      const resumed = await store.updateEndpoint(app.id, held.id, { paused: false }, T0 + 1000);
      assert.equal(resumed?.pausedAt, null);
      const health = await store.endpointHealth(held.id, T0 + 1000);
      assert.equal(health.failingSince, T0 + 998, 'the time paused is left out of its failure run');
      const flowing = await store.claimDueDeliveries(claimInput(T0 + 1000, 5));
      assert.equal(flowing.length, 5);
      assert.ok(flowing.every((c) => c.endpoint.id === held.id));
    }));

  test('a FIFO endpoint created paused holds its deliveries, then sends the oldest first once resumed', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const fifo = await store.createEndpoint(anEndpoint(app.id, { fifo: true, pausedAt: T0 }));
      for (let i = 0; i < 3; i++) await publish(store, app.id, 'order.created', T0 + i);
      assert.equal((await store.claimDueDeliveries(claimInput(T0 + 100))).length, 0);
      await store.updateEndpoint(app.id, fifo.id, { paused: false }, T0 + 100);
      const order: string[] = [];
      for (let at = T0 + 100; order.length < 3; at++) {
        const claimed = await store.claimDueDeliveries(claimInput(at));
        assert.equal(claimed.length, 1, 'one at a time');
        const [one] = claimed;
        assert.ok(one);
        order.push(one.message.id);
        const attempt = anAttempt(one.delivery.id, { startedAt: at });
        await store.recordAttempt({ attempt, leaseToken: one.leaseToken, next: { status: 'succeeded' }, now: at });
      }
      assert.deepEqual(order, [...order].sort(), 'in publish order');
    }));

  test('disabling a paused endpoint fails what it held; what failed while disabled is counted and replayed', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const endpoint = await store.createEndpoint(anEndpoint(app.id, { pausedAt: T0 }));
      await publish(store, app.id, 'order.created', T0);
      const [failedBefore] = (await store.listDeliveries(app.id, { endpointId: endpoint.id }, { limit: 10 })).data;
      assert.ok(failedBefore);
      // One failed before the disable (its schedule ran out under a brief resume), two held then failed by it.
      await store.updateEndpoint(app.id, endpoint.id, { paused: false }, T0 + 1);
      const [claimed] = await store.claimDueDeliveries(claimInput(T0 + 1));
      assert.ok(claimed);
      const attempt = anAttempt(claimed.delivery.id, { responseStatus: 500 });
      await store.recordAttempt({ attempt, leaseToken: claimed.leaseToken, next: { status: 'failed' }, now: T0 + 2 });
      await store.updateEndpoint(app.id, endpoint.id, { paused: true }, T0 + 3);
      for (let i = 1; i <= 2; i++) await publish(store, app.id, 'order.created', T0 + 3 + i);
      await store.disableEndpoint(endpoint.id, 'by hand', T0 + 10);
      const counts = await store.countDeliveriesByStatus(endpoint.id);
      assert.deepEqual([counts.pending, counts.failed], [0, 3]);

      const whileDisabled = { endpointId: endpoint.id, status: 'failed', since: 0, settledSince: T0 + 10 } as const;
      assert.equal(await store.countReplayable(whileDisabled), 2);
      assert.equal(await store.countReplayable({ ...whileDisabled, settledSince: undefined }), 3);
      assert.equal(await store.replayDeliveries({ ...whileDisabled, now: T0 + 20 }), 2);
      assert.equal(await store.countReplayable(whileDisabled), 0);
      const failed = await store.listDeliveries(app.id, { endpointId: endpoint.id, status: 'failed' }, { limit: 10 });
      assert.deepEqual(
        failed.data.map((d) => d.id),
        [claimed.delivery.id],
      );
    }));
}
