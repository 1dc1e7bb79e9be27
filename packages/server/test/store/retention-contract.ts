/** The Store contract for retention (`purgeBefore`), run against every implementation from contract.ts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Endpoint, type NextStep, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anEndpoint, T0, withOpenStore } from './fixtures.js';

const DAY = 86_400_000;

export function retentionContract(open: () => Promise<Store>): void {
  describe('retention', () => {
    const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

    async function seed(store: Store) {
      const app = await store.createApp(anApp());
      const endpoint: Endpoint = await store.createEndpoint(anEndpoint(app.id, { events: ['order.*'] }));
      return { app, endpoint };
    }

    async function publish(store: Store, appId: string, at: number, type = 'order.created') {
      const payload = JSON.stringify({ type, timestamp: new Date(at).toISOString(), data: { at } });
      const result = await store.publishMessage({
        message: { id: newId('msg', at), appId, type, payload, idempotencyKey: null, createdAt: at },
        idempotencyWindowMs: 0,
      });
      return result.message;
    }

    /** Claims every delivery due at `at` and records one attempt for each, started then, leading to `next`. */
    async function attemptAll(store: Store, at: number, next: NextStep): Promise<number> {
      const claimed = await store.claimDueDeliveries({
        now: at,
        limit: 100,
        leaseMs: 30_000,
        endpointCap: 100,
        inFlight: new Map(),
      });
      for (const item of claimed) {
        await store.recordAttempt({
          attempt: {
            id: newId('atm', at),
            deliveryId: item.delivery.id,
            number: item.delivery.attemptCount + 1,
            startedAt: at,
            durationMs: 5,
            requestHeaders: { 'webhook-id': item.message.id },
            responseStatus: next.status === 'succeeded' ? 200 : 500,
            responseBody: 'body',
            error: null,
          },
          leaseToken: item.leaseToken,
          next,
          now: at + 5,
        });
      }
      return claimed.length;
    }

    test('attempts started before the cutoff are deleted, later ones stay', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        const message = await publish(store, app.id, T0);
        assert.equal(await attemptAll(store, T0, { status: 'pending', nextAttemptAt: T0 + 2 * DAY }), 1);
        assert.equal(await attemptAll(store, T0 + 2 * DAY, { status: 'pending', nextAttemptAt: T0 + 3 * DAY }), 1);
        const [delivery] = (await store.listDeliveries(app.id, { messageId: message.id }, { limit: 10 })).data;
        assert.ok(delivery);
        assert.equal((await store.listAttempts(delivery.id)).length, 2);

        assert.deepEqual(await store.purgeBefore({ cutoff: T0 + DAY, limit: 100 }), {
          attempts: 1,
          messages: 0,
          recoveryRecords: 0,
        });
        const left = await store.listAttempts(delivery.id);
        assert.deepEqual(
          left.map((a) => a.startedAt),
          [T0 + 2 * DAY],
        );
        assert.equal(
          (await store.findMessage(app.id, message.id))?.payload,
          message.payload,
          'a pending message keeps its payload',
        );
        assert.equal((await store.findDelivery(app.id, delivery.id))?.attemptCount, 2, 'the delivery keeps its count');
      }));

    test('an old message loses its payload once its deliveries are finished, keeping its rows and counts', () =>
      withStore(async (store) => {
        const { app, endpoint } = await seed(store);
        const delivered = await publish(store, app.id, T0);
        await attemptAll(store, T0, { status: 'succeeded' });
        const gaveUp = await publish(store, app.id, T0 + 1);
        await attemptAll(store, T0 + 1, { status: 'failed' });
        const unrouted = await publish(store, app.id, T0 + 2, 'user.created'); // no endpoint takes it: no delivery
        const waiting = await publish(store, app.id, T0 + 3);
        await attemptAll(store, T0 + 3, { status: 'pending', nextAttemptAt: T0 + 40 * DAY });
        const recent = await publish(store, app.id, T0 + 2 * DAY);
        await attemptAll(store, T0 + 2 * DAY, { status: 'succeeded' });

        const counts = await store.countDeliveriesByStatus(endpoint.id);
        assert.deepEqual(counts, { pending: 1, succeeded: 2, failed: 1, skipped: 0 });
        const stats = await store.queueStats(T0 + 2 * DAY);
        const deliveries = await store.listDeliveries(app.id, {}, { limit: 10 });

        const purged = await store.purgeBefore({ cutoff: T0 + DAY, limit: 100 });
        assert.deepEqual(purged, { attempts: 3, messages: 3, recoveryRecords: 0 });

        for (const gone of [delivered, gaveUp, unrouted]) {
          const found = await store.findMessage(app.id, gone.id);
          assert.equal(found?.payload, '', `${gone.type} at ${gone.createdAt} lost its payload`);
          assert.equal(found?.type, gone.type, 'the rest of the message stays');
        }
        assert.equal(
          (await store.findMessage(app.id, waiting.id))?.payload,
          waiting.payload,
          'a pending delivery still needs it',
        );
        assert.equal((await store.findMessage(app.id, recent.id))?.payload, recent.payload);
        assert.equal((await store.listMessages(app.id, {}, { limit: 10 })).data.length, 5);
        assert.deepEqual(await store.countDeliveriesByStatus(endpoint.id), counts);
        assert.deepEqual(await store.queueStats(T0 + 2 * DAY), stats);
        assert.deepEqual((await store.listDeliveries(app.id, {}, { limit: 10 })).data, deliveries.data);

        assert.deepEqual(
          await store.purgeBefore({ cutoff: T0 + DAY, limit: 100 }),
          { attempts: 0, messages: 0, recoveryRecords: 0 },
          'nothing twice',
        );
        const [claimLater] = await store.claimDueDeliveries({
          now: T0 + 40 * DAY,
          limit: 10,
          leaseMs: 30_000,
          endpointCap: 10,
          inFlight: new Map(),
        });
        assert.equal(claimLater?.message.payload, waiting.payload, 'the pending delivery is still sent whole');
      }));

    test('one call purges at most `limit` attempts and `limit` messages', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        for (let i = 0; i < 5; i++) await publish(store, app.id, T0 + i);
        assert.equal(await attemptAll(store, T0 + 10, { status: 'succeeded' }), 5);

        const batches = [];
        for (;;) {
          const batch = await store.purgeBefore({ cutoff: T0 + DAY, limit: 2 });
          batches.push(batch);
          if (batch.attempts < 2 && batch.messages < 2) break;
        }
        assert.deepEqual(batches, [
          { attempts: 2, messages: 2, recoveryRecords: 0 },
          { attempts: 2, messages: 2, recoveryRecords: 0 },
          { attempts: 1, messages: 1, recoveryRecords: 0 },
        ]);
        const messages = await store.listMessages(app.id, {}, { limit: 10 });
        assert.ok(messages.data.every((m) => m.payload === ''));
      }));
  });
}
