import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delivery, Endpoint, EventType, Message, Requester } from '../domain/index.js';
import type { PublishInput } from '../store/index.js';
import { type ApiError, publishEvent, retryDelivery } from './index.js';

/** Who the actions are told asked: the audit log's fields, not checked here. */
const WHO: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-test' };

const NOW = Date.UTC(2026, 0, 1);
const refusedWith = (code: string) => (error: ApiError) => error.code === code;

function publishDeps(options: { deliveries?: number; duplicate?: boolean; types?: Record<string, Partial<EventType>> } = {}) {
  const published: PublishInput[] = [];
  const counts = { wakes: 0, metrics: 0 };
  return {
    published,
    counts,
    clock: () => NOW,
    config: { maxPayloadBytes: 200, idempotencyWindowMs: 1000 },
    metrics: { messagePublished: () => void counts.metrics++, deliveriesSkipped: () => {} },
    onDeliveriesDue: () => void counts.wakes++,
    store: {
      async findEventType(name: string) {
        const found = options.types?.[name];
        return found ? ({ name, schema: null, archivedAt: null, ...found } as EventType) : null;
      },
      async publishMessage(input: PublishInput) {
        published.push(input);
        return { message: input.message, duplicate: options.duplicate ?? false, deliveries: options.deliveries ?? 1, skipped: 0 };
      },
    },
  };
}

test('publishEvent writes the envelope that is delivered, counts it, and wakes the worker', async () => {
  const d = publishDeps();
  const result = await publishEvent(d, 'app_1', { type: 'order.paid', data: { id: 1 }, idempotencyKey: 'k' });
  assert.equal(result.deliveries, 1);
  const { message } = d.published[0] as PublishInput;
  assert.deepEqual(JSON.parse(message.payload), { type: 'order.paid', timestamp: new Date(NOW).toISOString(), data: { id: 1 } });
  assert.equal(message.idempotencyKey, 'k');
  assert.deepEqual(d.counts, { wakes: 1, metrics: 1 });
});

test('publishEvent wakes nobody when no endpoint matched, and counts no duplicate', async () => {
  const d = publishDeps({ deliveries: 0, duplicate: true });
  await publishEvent(d, 'app_1', { type: 'order.paid', data: null });
  assert.deepEqual(d.counts, { wakes: 0, metrics: 0 });
});

test('publishEvent refuses a bad type name, an archived type, data against its schema, and an oversized event', async () => {
  const d = publishDeps({
    types: {
      'old.thing': { archivedAt: NOW - 1 },
      'order.paid': { schema: { type: 'object', required: ['id'] } },
    },
  });
  await assert.rejects(publishEvent(d, 'app_1', { type: 'no spaces', data: 1 }), refusedWith('invalid_event_type'));
  await assert.rejects(publishEvent(d, 'app_1', { type: 'old.thing', data: 1 }), refusedWith('event_type_archived'));
  await assert.rejects(publishEvent(d, 'app_1', { type: 'order.paid', data: {} }), refusedWith('schema_mismatch'));
  await assert.rejects(publishEvent(d, 'app_1', { type: 'big', data: 'x'.repeat(300) }), refusedWith('payload_too_large'));
  assert.equal(d.published.length, 0);
});

function retryDeps(found: { endpoint?: Partial<Endpoint>; message?: Partial<Message>; inFlight?: boolean } = {}) {
  const delivery = { id: 'dlv_1', appId: 'app_1', messageId: 'msg_1', endpointId: 'ep_1' } as Delivery;
  const counts = { wakes: 0 };
  return {
    counts,
    clock: () => NOW,
    onDeliveriesDue: () => void counts.wakes++,
    store: {
      findDelivery: async (appId: string, id: string) => (appId === 'app_1' && id === 'dlv_1' ? delivery : null),
      findEndpoint: async () => ({ disabledAt: null, ...found.endpoint }) as Endpoint,
      findMessage: async () => ({ payload: '{}', ...found.message }) as Message,
      retryDelivery: async () => (found.inFlight ? null : delivery),
    },
  };
}

test('retryDelivery makes the delivery due and wakes the worker', async () => {
  const d = retryDeps();
  assert.equal((await retryDelivery(d, WHO, 'app_1', 'dlv_1')).id, 'dlv_1');
  assert.equal(d.counts.wakes, 1);
});

test('retryDelivery refuses what may not be retried, waking nobody', async () => {
  await assert.rejects(retryDelivery(retryDeps(), WHO, 'app_2', 'dlv_1'), refusedWith('delivery_not_found'));
  await assert.rejects(
    retryDelivery(retryDeps({ endpoint: { disabledAt: NOW } }), WHO, 'app_1', 'dlv_1'),
    refusedWith('endpoint_disabled'),
  );
  await assert.rejects(
    retryDelivery(retryDeps({ message: { payload: '' } }), WHO, 'app_1', 'dlv_1'),
    refusedWith('message_purged'),
  );
  const inFlight = retryDeps({ inFlight: true });
  await assert.rejects(retryDelivery(inFlight, WHO, 'app_1', 'dlv_1'), refusedWith('delivery_in_flight'));
  assert.equal(inFlight.counts.wakes, 0);
});
