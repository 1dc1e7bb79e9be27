/** Store contract, endpoint health: failure runs that disable an endpoint, and the stats windows. Both stores run it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Attempt, type Endpoint, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anEndpoint, T0, withOpenStore } from './fixtures.js';

const HOUR = 3_600_000;

export function healthContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  async function seed(store: Store, endpointCount: number, messages: number) {
    const app = await store.createApp(anApp());
    const endpoints: Endpoint[] = [];
    for (let i = 0; i < endpointCount; i++)
      endpoints.push(await store.createEndpoint(anEndpoint(app.id, { url: `http://127.0.0.1:9/hook-${i}` })));
    for (let i = 0; i < messages; i++) {
      const type = 'order.created';
      await store.publishMessage({
        message: {
          id: newId('msg', T0),
          appId: app.id,
          type,
          payload: `{"type":"${type}"}`,
          idempotencyKey: null,
          createdAt: T0,
        },
        idempotencyWindowMs: 0,
      });
    }
    return { app, endpoints };
  }

  const attempt = (deliveryId: string, startedAt: number, status: number | null, durationMs = 5): Attempt => ({
    id: newId('atm', startedAt),
    deliveryId,
    number: 1,
    startedAt,
    durationMs,
    requestHeaders: {},
    responseStatus: status,
    responseBody: status === null ? null : '',
    error: status === null ? { code: 'headers_timeout', message: 'no response headers within 30000 ms' } : null,
  });

  test('an endpoint failing without a success for disableAfter is disabled, and a success restarts the clock', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 1, 3);
      const ep = endpoints[0] as Endpoint;
      /** One attempt at `at`: a failure leaves its delivery due again at once. */
      const attemptAt = async (at: number, status: number) => {
        const [claimed] = await store.claimDueDeliveries({
          now: at,
          limit: 1,
          leaseMs: 30_000,
          endpointCap: 10,
          inFlight: new Map(),
        });
        assert.ok(claimed, `a delivery is due at +${at - T0} ms`);
        await store.recordAttempt({
          attempt: attempt(claimed.delivery.id, at, status),
          leaseToken: claimed.leaseToken,
          next: status === 200 ? { status: 'succeeded' } : { status: 'pending', nextAttemptAt: at },
          now: at + 1,
          disableAfterMs: 1_000,
        });
      };
      const state = async () => {
        const endpoint = await store.findEndpoint(app.id, ep.id);
        return { failingSince: (await store.endpointHealth(ep.id, T0)).failingSince, disabledAt: endpoint?.disabledAt };
      };

      await attemptAt(T0, 500);
      assert.deepEqual(await state(), { failingSince: T0, disabledAt: null }, 'the first failure starts the run');
      await attemptAt(T0 + 500, 503);
      assert.deepEqual(await state(), { failingSince: T0, disabledAt: null }, 'a later failure keeps its start');
      await attemptAt(T0 + 900, 200);
      assert.deepEqual(await state(), { failingSince: null, disabledAt: null }, 'a success ends the run');
      await attemptAt(T0 + 1_200, 500);
      await attemptAt(T0 + 2_100, 500);
      assert.deepEqual(await state(), { failingSince: T0 + 1_200, disabledAt: null }, 'not yet: 900 ms of failures');
      await attemptAt(T0 + 2_199, 500);
      const disabled = await store.findEndpoint(app.id, ep.id);
      assert.equal(disabled?.disabledAt, T0 + 2_200);
      assert.equal(disabled?.disabledReason, `failed without a success since ${new Date(T0 + 1_200).toISOString()}`);
      assert.deepEqual(await store.countDeliveriesByStatus(ep.id), { pending: 0, succeeded: 1, failed: 2 });

      const enabled = await store.updateEndpoint(app.id, ep.id, { disabled: false }, T0 + 3_000);
      assert.equal(enabled?.disabledAt, null);
      assert.equal((await store.endpointHealth(ep.id, T0 + 3_000)).failingSince, null, 'enabling forgets the run');
    }));

  test('failures without disableAfter are tracked but never disable', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 1, 1);
      const ep = endpoints[0] as Endpoint;
      const [delivery] = (await store.listDeliveries(app.id, {}, { limit: 1 })).data;
      assert.ok(delivery);
      // Recorded under a lease that is not this delivery's: the attempt still counts for the endpoint's health.
      await store.recordAttempt({
        attempt: attempt(delivery.id, T0, null),
        leaseToken: 'lost',
        next: { status: 'pending', nextAttemptAt: T0 },
        now: T0 + 100 * HOUR,
      });
      assert.equal((await store.endpointHealth(ep.id, T0)).failingSince, T0);
      assert.equal((await store.findEndpoint(app.id, ep.id))?.disabledAt, null);
    }));

  test('endpoint health counts the last hour’s and day’s attempts, successes and answered latencies', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seed(store, 2, 1);
      const [mine, other] = endpoints as [Endpoint, Endpoint];
      const deliveries = (await store.listDeliveries(app.id, { endpointId: mine.id }, { limit: 1 })).data;
      const deliveryId = deliveries[0]?.id ?? assert.fail('no delivery');
      const now = T0 + 48 * HOUR;
      const recorded: [number, number | null, number][] = [
        [now - 10 * 60_000, 200, 10],
        [now - 20 * 60_000, 500, 30],
        [now - 30 * 60_000, null, 1_000], // no answer: counted, but no latency
        [now - 40 * 60_000, 200, 20],
        [now - 2 * HOUR, 201, 100],
        [now - 25 * HOUR, 200, 5], // older than a day
      ];
      for (const [at, status, durationMs] of recorded) {
        await store.recordAttempt({
          attempt: attempt(deliveryId, at, status, durationMs),
          leaseToken: 'none',
          next: status === 200 || status === 201 ? { status: 'succeeded' } : { status: 'pending', nextAttemptAt: at },
          now: at,
        });
      }
      const health = await store.endpointHealth(mine.id, now);
      assert.deepEqual(health.windows, {
        '1h': { attempts: 4, successes: 2, successRate: 0.5, latencyMs: { p50: 20, p95: 30 } },
        '24h': { attempts: 5, successes: 3, successRate: 0.6, latencyMs: { p50: 20, p95: 100 } },
      });
      const quiet = await store.endpointHealth(other.id, now);
      assert.deepEqual(quiet, {
        failingSince: null,
        windows: {
          '1h': { attempts: 0, successes: 0, successRate: null, latencyMs: { p50: null, p95: null } },
          '24h': { attempts: 0, successes: 0, successRate: null, latencyMs: { p50: null, p95: null } },
        },
      });
    }));
}
