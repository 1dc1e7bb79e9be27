/** Store contract, skipped deliveries: held back at fan-out or by a worker, with a reason; never claimed or retried. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { aMessage, anEndpoint, claimInput, seedEndpoints, T0, withOpenStore } from './fixtures.js';

export function skippedContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  for (const idempotencyKey of [null, 'key-1']) {
    test(`a publish ${idempotencyKey ? 'with' : 'without'} an Idempotency-Key makes skipped deliveries for the endpoints skip holds back`, () =>
      withStore(async (store) => {
        const { app, endpoints } = await seedEndpoints(store, [null, null, ['user.*']]);
        const [kept, held] = endpoints as [Endpoint, Endpoint];
        const seen: string[] = [];
        const result = await store.publishMessage({
          message: aMessage(app.id, 'order.created', T0, idempotencyKey),
          idempotencyWindowMs: 1000,
          skip: (endpoint) => {
            seen.push(endpoint.id);
            return endpoint.id === held.id ? 'filter: did not match' : null;
          },
        });
        assert.deepEqual(seen.sort(), [kept.id, held.id].sort(), 'skip is asked only about endpoints of the type');
        assert.equal(result.deliveries, 1);
        assert.equal(result.skipped, 1);
        const [skipped] = (await store.listDeliveries(app.id, { status: 'skipped' }, { limit: 10 })).data;
        assert.equal(skipped?.endpointId, held.id);
        assert.equal(skipped?.skipReason, 'filter: did not match');
        assert.equal(skipped?.nextAttemptAt, null);
        assert.equal(skipped?.attemptCount, 0);
        const [pending] = (await store.listDeliveries(app.id, { status: 'pending' }, { limit: 10 })).data;
        assert.equal(pending?.endpointId, kept.id);
        assert.equal(pending?.skipReason, null);

        const claimed = await store.claimDueDeliveries(claimInput(T0 + 1));
        assert.deepEqual(
          claimed.map((c) => c.delivery.endpointId),
          [kept.id],
          'a skipped delivery is never claimed',
        );
        assert.equal(await store.retryDelivery(app.id, skipped?.id as string, T0 + 2), null, 'nor retried');
        assert.equal((await store.findDelivery(app.id, skipped?.id as string))?.status, 'skipped');
        const counts = await store.countDeliveriesByStatus(held.id);
        assert.deepEqual(counts, { pending: 0, succeeded: 0, failed: 0, skipped: 1 });
        const byMessage = await store.countDeliveriesByMessage(app.id, [result.message.id]);
        assert.equal(byMessage[result.message.id]?.skipped, 1);
        const withSkips = await store.listMessages(app.id, { status: 'skipped' }, { limit: 10 });
        assert.deepEqual(
          withSkips.data.map((m) => m.id),
          [result.message.id],
        );
      }));
  }

  test('an endpoint keeps its filter as given, an update replaces or removes it, and a publish’s skip sees it as JSON', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store, []);
      const filter = { type: 'invoice.paid', 'data.amount': { $gt: 100 }, $or: [{ 'data.tags': { $in: ['a', 'é'] } }] };
      const created = await store.createEndpoint(anEndpoint(app.id, { filter }));
      assert.deepEqual((await store.findEndpoint(app.id, created.id))?.filter, filter);
      assert.deepEqual((await store.listEndpoints(app.id, { limit: 10 })).data[0]?.filter, filter);
      const seen: (string | null)[] = [];
      await store.publishMessage({
        message: aMessage(app.id),
        idempotencyWindowMs: 0,
        skip: (endpoint) => {
          seen.push(endpoint.filter);
          return null;
        },
      });
      assert.deepEqual(
        seen.map((text) => (text === null ? null : JSON.parse(text))),
        [filter],
      );
      const other = { 'data.amount': { $lte: 5 } };
      assert.deepEqual((await store.updateEndpoint(app.id, created.id, { filter: other }, T0 + 1))?.filter, other);
      assert.deepEqual((await store.updateEndpoint(app.id, created.id, { description: 'kept' }, T0 + 2))?.filter, other);
      assert.equal((await store.updateEndpoint(app.id, created.id, { filter: null }, T0 + 3))?.filter, null);
    }));

  test('a publish whose every endpoint is skipped makes nothing due', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store, [null]);
      const result = await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0, skip: () => 'no' });
      assert.deepEqual([result.deliveries, result.skipped], [0, 1]);
      assert.equal(await store.nextDueAfter(T0 - 1), null);
    }));

  test('a worker skips a claimed delivery while its lease holds, and only then', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store, [null]);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claim] = await store.claimDueDeliveries(claimInput(T0));
      assert.ok(claim);
      const input = { deliveryId: claim.delivery.id, reason: 'transformation: cancelled', now: T0 + 5 };
      assert.equal(await store.skipClaimedDelivery({ ...input, leaseToken: 'not-the-lease' }), false);
      assert.equal(await store.skipClaimedDelivery({ ...input, leaseToken: claim.leaseToken }), true);
      const delivery = await store.findDelivery(app.id, claim.delivery.id);
      assert.equal(delivery?.status, 'skipped');
      assert.equal(delivery?.skipReason, 'transformation: cancelled');
      assert.equal(delivery?.updatedAt, T0 + 5);
      assert.equal(await store.skipClaimedDelivery({ ...input, leaseToken: claim.leaseToken }), false, 'the lease is gone');
      assert.deepEqual(await store.claimDueDeliveries(claimInput(T0 + 60 * 60_000)), [], 'not claimed after the lease');
    }));
}
