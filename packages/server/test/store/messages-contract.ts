/** Store contract, messages and deliveries: publishing (the outbox), Idempotency-Keys, filters, replay and retry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { aMessage, claimInput, seedEndpoints, T0, withOpenStore } from './fixtures.js';

export function messagesContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('publishing writes one due delivery per enabled endpoint whose filters match', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store, [null, ['order.*'], ['payment.completed'], ['order.created']]);
      await store.disableEndpoint((endpoints[3] as Endpoint).id, 'test', T0);
      const result = await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 1000 });
      assert.equal(result.deliveries, 2);
      const page = await store.listDeliveries(app.id, { messageId: result.message.id }, { limit: 10 });
      assert.deepEqual(page.data.map((d) => d.endpointId).sort(), [endpoints[0]?.id, endpoints[1]?.id].sort());
      assert.ok(page.data.every((d) => d.status === 'pending' && d.nextAttemptAt === T0 && d.attemptCount === 0));
      assert.equal(await store.nextDueAfter(T0 - 1), T0);
      assert.equal(await store.nextDueAfter(T0), null, 'due now is not after now');
    }));

  test('a test message goes to its one endpoint only, whatever the types, and keeps its mark', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store, [null, ['order.*'], ['payment.completed']]);
      const chosen = endpoints[2] as Endpoint;
      for (const idempotencyKey of [null, 'test-key']) {
        const message = { ...aMessage(app.id, 'order.created', T0, idempotencyKey), test: true };
        const result = await store.publishMessage({ message, idempotencyWindowMs: 1000, only: chosen.id });
        assert.equal(result.deliveries, 1);
        const page = await store.listDeliveries(app.id, { messageId: message.id }, { limit: 10 });
        assert.deepEqual(
          page.data.map((d) => d.endpointId),
          [chosen.id],
        );
        assert.equal((await store.findMessage(app.id, message.id))?.test, true);
      }
      const plain = await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 1000 });
      assert.equal((await store.findMessage(app.id, plain.message.id))?.test, undefined, 'unmarked otherwise');
    }));

  test('an Idempotency-Key answers with its first message within the window, and publishes anew after it', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      const first = await store.publishMessage({ message: aMessage(app.id, 'a.b', T0, 'key-1'), idempotencyWindowMs: 1000 });
      const again = await store.publishMessage({
        message: aMessage(app.id, 'a.b', T0 + 999, 'key-1'),
        idempotencyWindowMs: 1000,
      });
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, first.message.id);
      assert.equal(again.deliveries, 0);
      const later = await store.publishMessage({
        message: aMessage(app.id, 'a.b', T0 + 1000, 'key-1'),
        idempotencyWindowMs: 1000,
      });
      assert.equal(later.duplicate, false);
      assert.notEqual(later.message.id, first.message.id);
    }));

  test('a payload comes back byte for byte as published, from a lookup and from a claim', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      // Key order, spacing, escapes and characters outside the BMP: whatever was signed must be what is sent.
      const payload =
        '{"type":"order.created", "timestamp":"2026-01-01T00:00:00Z","data":{"z":1,"a":"é 中 🚀 \\u0000 \\"q\\"","n":1.50}}';
      const published = { ...aMessage(app.id), payload };
      await store.publishMessage({ message: published, idempotencyWindowMs: 0 });
      assert.equal((await store.findMessage(app.id, published.id))?.payload, payload);
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.equal(claimed?.message.payload, payload);
    }));

  test('a message keeps its trace context, and its claim carries it with the endpoint’s choice to receive it', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store, [['traced.*'], ['plain.*']]);
      const [asked, plain] = endpoints as [Endpoint, Endpoint];
      assert.equal(asked.sendTraceContext, false, 'off unless asked');
      const changed = await store.updateEndpoint(app.id, asked.id, { sendTraceContext: true }, T0);
      assert.equal(changed?.sendTraceContext, true);
      assert.equal((await store.findEndpoint(app.id, asked.id))?.sendTraceContext, true);
      const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=x' };
      // Without a key (published in batches where a store batches) and with one (its own transaction).
      const traced = { ...aMessage(app.id, 'traced.event'), trace };
      const keyed = { ...aMessage(app.id, 'plain.event', T0, 'key-1'), trace: { traceparent: trace.traceparent } };
      const untraced = aMessage(app.id, 'plain.event', T0 + 1);
      for (const message of [traced, keyed, untraced]) await store.publishMessage({ message, idempotencyWindowMs: 1000 });
      assert.deepEqual((await store.findMessage(app.id, traced.id))?.trace, trace);
      assert.deepEqual((await store.findMessage(app.id, keyed.id))?.trace, { traceparent: trace.traceparent });
      assert.equal((await store.findMessage(app.id, untraced.id))?.trace, undefined);
      const claimed = await store.claimDueDeliveries(claimInput(T0 + 1));
      const of = (id: string) => claimed.find((c) => c.message.id === id);
      assert.deepEqual(of(traced.id)?.message.trace, trace);
      assert.equal(of(traced.id)?.endpoint.sendTraceContext, true);
      assert.deepEqual(of(keyed.id)?.message.trace, { traceparent: trace.traceparent });
      assert.equal(of(keyed.id)?.endpoint.sendTraceContext, false);
      assert.equal(of(keyed.id)?.endpoint.id, plain.id);
      assert.equal(of(untraced.id)?.message.trace, undefined);
    }));

  test('messages and deliveries filter by type, time, endpoint and status', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store, [null, ['order.*']]);
      const first = await store.publishMessage({ message: aMessage(app.id, 'order.created', T0), idempotencyWindowMs: 0 });
      const second = await store.publishMessage({ message: aMessage(app.id, 'user.created', T0 + 10), idempotencyWindowMs: 0 });
      const ids = async (filter: Parameters<Store['listMessages']>[1]) =>
        (await store.listMessages(app.id, filter, { limit: 10 })).data.map((m) => m.id);
      assert.deepEqual(await ids({ type: 'user.created' }), [second.message.id]);
      assert.deepEqual(await ids({ since: T0 + 1 }), [second.message.id]);
      assert.deepEqual(await ids({ until: T0 + 10 }), [first.message.id]);
      assert.deepEqual(await ids({}), [second.message.id, first.message.id]);
      const ofSecondEndpoint = await store.listDeliveries(app.id, { endpointId: (endpoints[1] as Endpoint).id }, { limit: 10 });
      assert.deepEqual(
        ofSecondEndpoint.data.map((d) => d.messageId),
        [first.message.id],
      );
      assert.equal((await store.listDeliveries(app.id, { status: 'succeeded' }, { limit: 10 })).data.length, 0);
      assert.equal((await store.listDeliveries(app.id, { status: 'pending' }, { limit: 10 })).data.length, 3);
      assert.equal((await store.listDeliveries('app_other', {}, { limit: 10 })).data.length, 0);
    }));

  test('replay makes an endpoint’s failed deliveries since a time due again with a fresh schedule', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      const ep = endpoints[0] as Endpoint;
      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0), idempotencyWindowMs: 0 });
      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0 + 10), idempotencyWindowMs: 0 });
      await store.disableEndpoint(ep.id, 'test', T0 + 20);
      await store.updateEndpoint(app.id, ep.id, { disabled: false }, T0 + 30);
      assert.equal(await store.replayDeliveries({ endpointId: ep.id, since: T0 + 5, status: 'failed', now: T0 + 40 }), 1);
      const counts = await store.countDeliveriesByStatus(ep.id);
      assert.deepEqual(counts, { pending: 1, succeeded: 0, failed: 1, skipped: 0 });
      const page = await store.listDeliveries(app.id, { status: 'pending' }, { limit: 10 });
      assert.equal(page.data[0]?.attemptsInRun, 0);
      assert.equal(page.data[0]?.nextAttemptAt, T0 + 40);
      const [failed] = (await store.listDeliveries(app.id, { status: 'failed' }, { limit: 10 })).data;
      assert.equal((await store.retryDelivery(app.id, failed?.id as string, T0 + 50))?.status, 'pending');
    }));

  test('a delivery in flight cannot be retried by hand', () =>
    withStore(async (store) => {
      const { app } = await seedEndpoints(store);
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.equal(await store.retryDelivery(app.id, claimed?.delivery.id as string, T0 + 1), null);
    }));
}
