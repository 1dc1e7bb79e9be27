/**
 * The Store contract: every implementation (SQLite, PostgreSQL) runs these same tests.
 * Times are passed in, so leases and windows are tested without sleeping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Endpoint, type EventType, type Message, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { accessContract } from './access-contract.js';
import { appTokensContract } from './app-tokens-contract.js';
import { attemptFeedContract } from './attempt-feed-contract.js';
import { dashboardContract } from './dashboard-contract.js';
import { anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';
import { healthContract } from './health-contract.js';
import { limitsContract } from './limits-contract.js';
import { opsContract } from './ops-contract.js';
import { retentionContract } from './retention-contract.js';
import { sourcesContract } from './sources-contract.js';
import { tenancyContract } from './tenancy-contract.js';

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

    async function seed(store: Store, events: (string[] | null)[] = [null]) {
      const app = await store.createApp(anApp());
      const endpoints: Endpoint[] = [];
      for (const filters of events) {
        endpoints.push(await store.createEndpoint(anEndpoint(app.id, { events: filters })));
      }
      return { app, endpoints };
    }

    function message(appId: string, type = 'order.created', at = T0, idempotencyKey: string | null = null): Message {
      return { id: newId('msg', at), appId, type, payload: JSON.stringify({ type, data: {} }), idempotencyKey, createdAt: at };
    }

    const claimInput = (now: number, limit = 10) => ({ now, limit, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });

    retentionContract(open);
    healthContract(open);
    sourcesContract(open);
    opsContract(open);
    limitsContract(open);
    attemptFeedContract(open);
    appTokensContract(open);
    accessContract(open);
    dashboardContract(open);
    tenancyContract(open);

    test('apps are found by id or uid, and a uid is unique', () =>
      withStore(async (store) => {
        const app = await store.createApp({ id: newId('app'), uid: 'acme', name: 'Acme', createdAt: T0, updatedAt: T0 });
        assert.equal((await store.findApp('acme'))?.id, app.id);
        assert.equal((await store.findApp(app.id))?.uid, 'acme');
        await assert.rejects(store.createApp({ ...app, id: newId('app') }), /uid/);
        assert.equal((await store.updateApp(app.id, { name: 'Acme 2' }, T0 + 1))?.name, 'Acme 2');
        assert.equal(await store.deleteApp(app.id), true);
        assert.equal(await store.findApp('acme'), null);
      }));

    test('lists page newest first with a cursor', () =>
      withStore(async (store) => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++)
          ids.push(
            (await store.createApp({ id: newId('app', T0 + i), uid: null, name: `a${i}`, createdAt: T0, updatedAt: T0 })).id,
          );
        const first = await store.listApps({ limit: 2 });
        assert.deepEqual(
          first.data.map((a) => a.id),
          [ids[4], ids[3]],
        );
        const second = await store.listApps({ limit: 2, after: first.nextCursor ?? undefined });
        assert.deepEqual(
          second.data.map((a) => a.id),
          [ids[2], ids[1]],
        );
        const last = await store.listApps({ limit: 2, after: second.nextCursor ?? undefined });
        assert.deepEqual(
          last.data.map((a) => a.id),
          [ids[0]],
        );
        assert.equal(last.nextCursor, null);
      }));

    test('publishing writes one due delivery per enabled endpoint whose filters match', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store, [null, ['order.*'], ['payment.completed'], ['order.created']]);
        await store.disableEndpoint((endpoints[3] as Endpoint).id, 'test', T0);
        const result = await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 1000 });
        assert.equal(result.deliveries, 2);
        const page = await store.listDeliveries(app.id, { messageId: result.message.id }, { limit: 10 });
        assert.deepEqual(page.data.map((d) => d.endpointId).sort(), [endpoints[0]?.id, endpoints[1]?.id].sort());
        assert.ok(page.data.every((d) => d.status === 'pending' && d.nextAttemptAt === T0 && d.attemptCount === 0));
        assert.equal(await store.nextDueAfter(T0 - 1), T0);
        assert.equal(await store.nextDueAfter(T0), null, 'due now is not after now');
      }));

    test('an Idempotency-Key answers with its first message within the window, and publishes anew after it', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        const first = await store.publishMessage({ message: message(app.id, 'a.b', T0, 'key-1'), idempotencyWindowMs: 1000 });
        const again = await store.publishMessage({
          message: message(app.id, 'a.b', T0 + 999, 'key-1'),
          idempotencyWindowMs: 1000,
        });
        assert.equal(again.duplicate, true);
        assert.equal(again.message.id, first.message.id);
        assert.equal(again.deliveries, 0);
        const later = await store.publishMessage({
          message: message(app.id, 'a.b', T0 + 1000, 'key-1'),
          idempotencyWindowMs: 1000,
        });
        assert.equal(later.duplicate, false);
        assert.notEqual(later.message.id, first.message.id);
      }));

    test('a payload comes back byte for byte as published, from a lookup and from a claim', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        // Key order, spacing, escapes and characters outside the BMP: whatever was signed must be what is sent.
        const payload =
          '{"type":"order.created", "timestamp":"2026-01-01T00:00:00Z","data":{"z":1,"a":"é 中 🚀 \\u0000 \\"q\\"","n":1.50}}';
        const published = { ...message(app.id), payload };
        await store.publishMessage({ message: published, idempotencyWindowMs: 0 });
        assert.equal((await store.findMessage(app.id, published.id))?.payload, payload);
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.equal(claimed?.message.payload, payload);
      }));

    test('a rotated-out secret comes with claims until its overlap ends; a second rotation drops it', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        const ep = endpoints[0] as Endpoint;
        const rotated = await store.rotateEndpointSecret(app.id, ep.id, 'whsec_bmV3', T0 + 1000, T0 + 1);
        assert.deepEqual(rotated, {
          ...ep,
          secret: 'whsec_bmV3',
          previousSecret: 'whsec_dGVzdA==',
          previousSecretExpiresAt: T0 + 1000,
          updatedAt: T0 + 1,
        });
        assert.deepEqual(await store.findEndpoint(app.id, ep.id), rotated);

        await store.publishMessage({ message: message(app.id, 'a.b', T0 + 1), idempotencyWindowMs: 0 });
        const [during] = await store.claimDueDeliveries(claimInput(T0 + 999));
        assert.equal(during?.endpoint.secret, 'whsec_bmV3');
        assert.equal(during?.endpoint.previousSecret, 'whsec_dGVzdA==');
        await store.publishMessage({ message: message(app.id, 'a.b', T0 + 2), idempotencyWindowMs: 0 });
        const [after] = await store.claimDueDeliveries(claimInput(T0 + 1000));
        assert.equal(after?.endpoint.secret, 'whsec_bmV3');
        assert.equal(after?.endpoint.previousSecret, null, 'the overlap ends at its expiry');

        const again = await store.rotateEndpointSecret(app.id, ep.id, 'whsec_dGhpcmQ=', T0 + 5000, T0 + 2);
        assert.equal(again?.secret, 'whsec_dGhpcmQ=');
        assert.equal(again?.previousSecret, 'whsec_bmV3', 'only the secret just replaced keeps signing');
        assert.equal(await store.rotateEndpointSecret(app.id, 'ep_missing', 'whsec_eA==', T0, T0), null);
        const other = await store.createApp({ id: newId('app', T0), uid: null, name: 'Other', createdAt: T0, updatedAt: T0 });
        assert.equal(await store.rotateEndpointSecret(other.id, ep.id, 'whsec_eA==', T0, T0), null, 'another app’s endpoint');
        assert.equal((await store.findEndpoint(app.id, ep.id))?.secret, 'whsec_dGhpcmQ=');

        // A scheme that signs with another kind of key changes in the same write as the secret.
        const switched = await store.rotateEndpointSecret(app.id, ep.id, 'whsk_a2V5', T0 + 6000, T0 + 3, 'ed25519');
        assert.equal(switched?.signatureScheme, 'ed25519');
        assert.equal(switched?.secret, 'whsk_a2V5');
        assert.equal(switched?.previousSecret, 'whsec_dGhpcmQ=');
        assert.deepEqual(await store.findEndpoint(app.id, ep.id), switched);
      }));

    test('an endpoint’s custom headers are kept in order, replaced whole by a patch, and come with claims', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        const ep = endpoints[0] as Endpoint;
        assert.deepEqual((await store.findEndpoint(app.id, ep.id))?.headers, {});
        const headers = { 'X-Team': 'payments', Authorization: 'Bearer é', 'a-b': '' };
        const patched = await store.updateEndpoint(app.id, ep.id, { headers }, T0 + 1);
        assert.deepEqual(patched?.headers, headers);
        assert.deepEqual(Object.keys(patched?.headers ?? {}), Object.keys(headers), 'names keep their order');
        const unchanged = await store.updateEndpoint(app.id, ep.id, { description: 'd' }, T0 + 2);
        assert.deepEqual(unchanged?.headers, headers, 'a patch without headers leaves them');
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.deepEqual(claimed?.endpoint.headers, headers);
        assert.equal(claimed?.endpoint.previousSecret, null);
        const cleared = await store.updateEndpoint(app.id, ep.id, { headers: {} }, T0 + 3);
        assert.deepEqual(cleared?.headers, {});

        const created = await store.createEndpoint({ ...ep, id: newId('ep', T0), headers: { 'X-One': '1', 'X-Two': '2' } });
        assert.deepEqual((await store.findEndpoint(app.id, created.id))?.headers, { 'X-One': '1', 'X-Two': '2' });
      }));

    test('messages and deliveries filter by type, time, endpoint and status', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store, [null, ['order.*']]);
        const first = await store.publishMessage({ message: message(app.id, 'order.created', T0), idempotencyWindowMs: 0 });
        const second = await store.publishMessage({ message: message(app.id, 'user.created', T0 + 10), idempotencyWindowMs: 0 });
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

    test('a claimed delivery is leased: nobody else gets it until the lease runs out', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.ok(claimed);
        assert.equal(claimed.message.type, 'order.created');
        assert.equal((await store.claimDueDeliveries(claimInput(T0 + 29_999))).length, 0);
        assert.equal(await store.nextDueAfter(T0), T0 + 30_000);
        const [again] = await store.claimDueDeliveries(claimInput(T0 + 30_000));
        assert.equal(again?.delivery.id, claimed.delivery.id);
        assert.notEqual(again?.leaseToken, claimed.leaseToken);
      }));

    test('claims respect the per-endpoint cap, counting deliveries already in flight', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store, [null, null]);
        for (let i = 0; i < 5; i++) await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const busy = new Map([[(endpoints[0] as Endpoint).id, 1]]);
        const claimed = await store.claimDueDeliveries({ now: T0, limit: 10, leaseMs: 1000, endpointCap: 2, inFlight: busy });
        const per = (id: string) => claimed.filter((c) => c.endpoint.id === id).length;
        assert.equal(per((endpoints[0] as Endpoint).id), 1);
        assert.equal(per((endpoints[1] as Endpoint).id), 2);
      }));

    test('one endpoint’s backlog never hides another’s due delivery, and a short claim took all it could', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const busy = await store.createEndpoint(anEndpoint(app.id, { events: ['bulk.*'] }));
        const quiet = await store.createEndpoint(anEndpoint(app.id, { events: ['rare.*'] }));
        // 300 older deliveries to one endpoint, far more than any claim reads at once, then one to the other.
        for (let i = 0; i < 300; i++) {
          await store.publishMessage({ message: message(app.id, 'bulk.item', T0 + i), idempotencyWindowMs: 0 });
        }
        await store.publishMessage({ message: message(app.id, 'rare.item', T0 + 300), idempotencyWindowMs: 0 });
        const input = (inFlight: Map<string, number>) => ({
          now: T0 + 1000,
          limit: 5,
          leaseMs: 60_000,
          endpointCap: 3,
          inFlight,
        });

        const atCap = await store.claimDueDeliveries(input(new Map([[busy.id, 3]])));
        assert.deepEqual(
          atCap.map((c) => c.endpoint.id),
          [quiet.id],
          'the busy endpoint at its cap: the other’s delivery still comes',
        );
        const refill = await store.claimDueDeliveries(input(new Map([[busy.id, 1]])));
        assert.equal(refill.length, 2, 'short of the limit: only the busy endpoint had work, up to its cap');
        assert.ok(refill.every((c) => c.endpoint.id === busy.id));
        const ids = new Set(refill.map((c) => c.delivery.id));
        const again = await store.claimDueDeliveries(input(new Map()));
        assert.equal(again.length, 3);
        assert.ok(
          again.every((c) => !ids.has(c.delivery.id)),
          'leased deliveries are not claimed twice',
        );
      }));

    test('recording an attempt moves the delivery on, unless the lease was lost', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [stale] = await store.claimDueDeliveries(claimInput(T0));
        const [fresh] = await store.claimDueDeliveries(claimInput(T0 + 30_000));
        assert.ok(stale && fresh);
        const attempt = (number: number, status: number) => ({
          id: newId('atm'),
          deliveryId: fresh.delivery.id,
          number,
          startedAt: T0 + 30_000,
          durationMs: 5,
          requestHeaders: { 'webhook-id': fresh.message.id },
          responseStatus: status,
          responseBody: 'body',
          error: null,
        });
        await store.recordAttempt({
          attempt: attempt(1, 500),
          leaseToken: stale.leaseToken,
          next: { status: 'failed' },
          now: T0 + 30_001,
        });
        assert.equal((await store.findDelivery(app.id, fresh.delivery.id))?.status, 'pending');
        await store.recordAttempt({
          attempt: attempt(2, 500),
          leaseToken: fresh.leaseToken,
          next: { status: 'pending', nextAttemptAt: T0 + 40_000 },
          now: T0 + 30_002,
        });
        const retrying = await store.findDelivery(app.id, fresh.delivery.id);
        assert.equal(retrying?.status, 'pending');
        assert.equal(retrying?.nextAttemptAt, T0 + 40_000);
        assert.equal(retrying?.attemptCount, 1);
        assert.equal(retrying?.attemptsInRun, 1);
        assert.equal(retrying?.lastError, 'HTTP 500');
        assert.equal((await store.listAttempts(fresh.delivery.id)).length, 2, 'both attempts happened and are kept');
        const [third] = await store.claimDueDeliveries(claimInput(T0 + 40_000));
        assert.ok(third);
        await store.recordAttempt({
          attempt: attempt(3, 200),
          leaseToken: third.leaseToken,
          next: { status: 'succeeded' },
          now: T0 + 40_001,
        });
        const done = await store.findDelivery(app.id, fresh.delivery.id);
        assert.equal(done?.status, 'succeeded');
        assert.equal(done?.lastError, null);
        assert.equal(await store.nextDueAfter(0), null);
      }));

    test('an attempt whose response body is binary is recorded', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.ok(claimed);
        // What a gzip or image body decoded as UTF-8 looks like: NULs and replacement characters.
        const body = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff, 0x41]).toString('utf8');
        await store.recordAttempt({
          attempt: anAttempt(claimed.delivery.id, {
            requestHeaders: { 'content-type': 'application/json', 'webhook-id': claimed.message.id },
            responseStatus: 500,
            responseBody: body,
          }),
          leaseToken: claimed.leaseToken,
          next: { status: 'pending', nextAttemptAt: T0 + 5000 },
          now: T0 + 1,
        });
        const [recorded] = await store.listAttempts(claimed.delivery.id);
        // A store may keep NUL as it is or write U+FFFD in its place; everything else stays.
        assert.equal(recorded?.responseBody?.replaceAll('\u0000', '\uFFFD'), body.replaceAll('\u0000', '\uFFFD'));
        assert.deepEqual(Object.keys(recorded?.requestHeaders ?? {}), ['content-type', 'webhook-id'], 'headers keep their order');
        assert.equal((await store.findDelivery(app.id, claimed.delivery.id))?.nextAttemptAt, T0 + 5000);
      }));

    test('a 410 disables the endpoint and fails its other pending deliveries', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        for (let i = 0; i < 3; i++) await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [one] = await store.claimDueDeliveries(claimInput(T0, 1));
        assert.ok(one);
        await store.recordAttempt({
          attempt: anAttempt(one.delivery.id, { responseStatus: 410 }),
          leaseToken: one.leaseToken,
          next: { status: 'failed', disableEndpoint: 'gone' },
          now: T0 + 1,
        });
        const endpoint = await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id);
        assert.equal(endpoint?.disabledReason, 'gone');
        assert.deepEqual(await store.countDeliveriesByStatus((endpoints[0] as Endpoint).id), {
          pending: 0,
          succeeded: 0,
          failed: 3,
        });
        assert.equal((await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 })).deliveries, 0);
      }));

    test('replay makes an endpoint’s failed deliveries since a time due again with a fresh schedule', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        const ep = endpoints[0] as Endpoint;
        await store.publishMessage({ message: message(app.id, 'a.b', T0), idempotencyWindowMs: 0 });
        await store.publishMessage({ message: message(app.id, 'a.b', T0 + 10), idempotencyWindowMs: 0 });
        await store.disableEndpoint(ep.id, 'test', T0 + 20);
        await store.updateEndpoint(app.id, ep.id, { disabled: false }, T0 + 30);
        assert.equal(await store.replayDeliveries({ endpointId: ep.id, since: T0 + 5, status: 'failed', now: T0 + 40 }), 1);
        const counts = await store.countDeliveriesByStatus(ep.id);
        assert.deepEqual(counts, { pending: 1, succeeded: 0, failed: 1 });
        const page = await store.listDeliveries(app.id, { status: 'pending' }, { limit: 10 });
        assert.equal(page.data[0]?.attemptsInRun, 0);
        assert.equal(page.data[0]?.nextAttemptAt, T0 + 40);
        const [failed] = (await store.listDeliveries(app.id, { status: 'failed' }, { limit: 10 })).data;
        assert.equal((await store.retryDelivery(app.id, failed?.id as string, T0 + 50))?.status, 'pending');
      }));

    test('an attempt that ends after its endpoint was deleted is dropped quietly', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.ok(claimed);
        await store.deleteEndpoint(app.id, (endpoints[0] as Endpoint).id);
        await store.recordAttempt({
          attempt: anAttempt(claimed.delivery.id),
          leaseToken: claimed.leaseToken,
          next: { status: 'succeeded' },
          now: T0 + 1,
        });
        assert.deepEqual(await store.listAttempts(claimed.delivery.id), []);
      }));

    test('a delivery in flight cannot be retried by hand', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        const [claimed] = await store.claimDueDeliveries(claimInput(T0));
        assert.equal(await store.retryDelivery(app.id, claimed?.delivery.id as string, T0 + 1), null);
      }));

    test('deleting an app removes its endpoints, messages and deliveries', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        const { message: msg } = await store.publishMessage({ message: message(app.id), idempotencyWindowMs: 0 });
        await store.deleteApp(app.id);
        assert.equal(await store.findMessage(app.id, msg.id), null);
        assert.equal(await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id), null);
        assert.equal(await store.nextDueAfter(0), null);
      }));

    const eventType = (name: string, schema: EventType['schema'] = null): EventType => ({
      name,
      description: `about ${name}`,
      schema,
      archivedAt: null,
      createdAt: T0,
      updatedAt: T0,
    });

    test('an event type is found by its name, with its schema as given, and a name is taken once', () =>
      withStore(async (store) => {
        const schema = { type: 'object', required: ['b', 'a'], properties: { b: { type: 'integer' }, a: { type: 'string' } } };
        await store.createEventType(eventType('order.created', schema));
        const found = await store.findEventType('order.created');
        assert.deepEqual(found, eventType('order.created', schema));
        assert.equal(JSON.stringify(found?.schema), JSON.stringify(schema), 'keys keep their order');
        assert.equal(await store.findEventType('order.Created'), null, 'names are case-sensitive');
        assert.equal(await store.findEventType('order'), null);
        await assert.rejects(store.createEventType(eventType('order.created')), (error: Error & { field?: string }) => {
          assert.equal(error.field, 'name');
          return true;
        });
      }));

    test('event types list by name with a cursor, archived ones only when asked', () =>
      withStore(async (store) => {
        for (const name of ['b.two', 'a.one', 'c.three', 'B.upper', 'd.four']) await store.createEventType(eventType(name));
        await store.updateEventType('c.three', { archived: true }, T0 + 1);
        const first = await store.listEventTypes({ limit: 2 });
        assert.deepEqual(
          first.data.map((t) => t.name),
          ['B.upper', 'a.one'],
          'byte order: upper case first',
        );
        const second = await store.listEventTypes({ limit: 2, after: first.nextCursor ?? undefined });
        assert.deepEqual(
          second.data.map((t) => t.name),
          ['b.two', 'd.four'],
        );
        assert.equal(second.nextCursor, null);
        const all = await store.listEventTypes({ limit: 10, includeArchived: true });
        assert.deepEqual(
          all.data.map((t) => [t.name, t.archivedAt]),
          [
            ['B.upper', null],
            ['a.one', null],
            ['b.two', null],
            ['c.three', T0 + 1],
            ['d.four', null],
          ],
        );
        assert.equal(all.nextCursor, null);
      }));

    test('updating an event type changes only what the patch names; archiving keeps its first time', () =>
      withStore(async (store) => {
        const schema = { type: 'object' };
        await store.createEventType(eventType('user.signed_up', schema));
        const described = await store.updateEventType('user.signed_up', { description: 'new' }, T0 + 1);
        assert.deepEqual(described, { ...eventType('user.signed_up', schema), description: 'new', updatedAt: T0 + 1 });

        const archived = await store.updateEventType('user.signed_up', { archived: true }, T0 + 2);
        assert.equal(archived?.archivedAt, T0 + 2);
        const again = await store.updateEventType('user.signed_up', { archived: true }, T0 + 3);
        assert.equal(again?.archivedAt, T0 + 2, 'archiving twice keeps the first time');
        assert.deepEqual(again?.schema, schema);

        const reschemed = await store.updateEventType('user.signed_up', { schema: { type: 'string' } }, T0 + 4);
        assert.deepEqual(reschemed?.schema, { type: 'string' });
        assert.equal(reschemed?.archivedAt, T0 + 2, 'a patch without archived leaves it archived');

        const restored = await store.updateEventType('user.signed_up', { archived: false, schema: null }, T0 + 5);
        assert.deepEqual(restored, { ...eventType('user.signed_up'), description: 'new', updatedAt: T0 + 5 });
        assert.deepEqual(await store.findEventType('user.signed_up'), restored);

        assert.equal(await store.updateEventType('nobody.here', { description: 'x' }, T0 + 6), null);
      }));
  });
}
