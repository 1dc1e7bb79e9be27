/** Store contract, the attempt feed `hookd tail` streams: attempts after an id, oldest first, by app and endpoint. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';

export function attemptFeedContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  /** Publishes one message to an app with `endpoints` endpoints and makes one attempt per delivery, in order. */
  async function attempted(store: Store, endpoints: number, at: number, status: number) {
    const app = await store.createApp(anApp());
    const eps = [];
    for (let i = 0; i < endpoints; i++)
      eps.push(await store.createEndpoint(anEndpoint(app.id, { url: `http://127.0.0.1:9/h${i}` })));
    await store.publishMessage({
      message: { id: newId('msg', at), appId: app.id, type: 'order.created', payload: '{}', idempotencyKey: null, createdAt: at },
      idempotencyWindowMs: 0,
    });
    const attempts = [];
    for (let i = 0; i < endpoints; i++) {
      const [claimed] = await store.claimDueDeliveries({
        now: at,
        limit: 1,
        leaseMs: 30_000,
        endpointCap: 10,
        inFlight: new Map(),
      });
      assert.ok(claimed);
      const attempt = anAttempt(claimed.delivery.id, { id: newId('atm', at + i), startedAt: at + i, responseStatus: status });
      await store.recordAttempt({
        attempt,
        leaseToken: claimed.leaseToken,
        next: status === 200 ? { status: 'succeeded' } : { status: 'failed' },
        now: at + i,
      });
      attempts.push({ attempt, endpoint: eps.find((e) => e.id === claimed.delivery.endpointId) });
    }
    return { app, attempts };
  }

  test('the attempt feed lists attempts after an id, oldest first, with their delivery, message and endpoint', () =>
    withStore(async (store) => {
      const first = await attempted(store, 2, T0, 200);
      const second = await attempted(store, 1, T0 + 1_000, 500);
      const all = await store.listAttemptsAfter({ afterId: null, limit: 10 });
      const ids = [...first.attempts, ...second.attempts].map((a) => a.attempt.id);
      assert.deepEqual(
        all.map((a) => a.attempt.id),
        ids,
      );
      const [one] = all;
      assert.ok(one);
      assert.equal(one.appId, first.app.id);
      assert.equal(one.eventType, 'order.created');
      assert.equal(one.endpointId, first.attempts[0]?.endpoint?.id);
      assert.equal(one.url, first.attempts[0]?.endpoint?.url);
      assert.equal(one.deliveryStatus, 'succeeded');
      assert.equal(one.deliveryAttempts, 1);
      assert.equal(one.attempt.responseStatus, 200);
      assert.equal(all[2]?.deliveryStatus, 'failed');

      assert.deepEqual(
        (await store.listAttemptsAfter({ afterId: ids[0] as string, limit: 10 })).map((a) => a.attempt.id),
        ids.slice(1),
      );
      assert.deepEqual(
        (await store.listAttemptsAfter({ afterId: null, limit: 2 })).map((a) => a.attempt.id),
        ids.slice(0, 2),
      );
      assert.deepEqual(
        (await store.listAttemptsAfter({ afterId: null, appId: second.app.id, limit: 10 })).map((a) => a.attempt.id),
        [ids[2]],
      );
      const endpointId = first.attempts[1]?.endpoint?.id as string;
      assert.deepEqual(
        (await store.listAttemptsAfter({ afterId: null, appId: first.app.id, endpointId, limit: 10 })).map((a) => a.attempt.id),
        [ids[1]],
      );
      assert.deepEqual(await store.listAttemptsAfter({ afterId: ids[2] as string, limit: 10 }), []);
    }));
}
