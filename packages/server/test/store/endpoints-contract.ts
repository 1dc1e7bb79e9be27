/** Store contract, endpoints: secret rotation, custom headers, the limit per app, and the health figures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditEntry, type Endpoint, type EndpointCredentials, newId, type Requester } from '../../src/domain/index.js';
import { type EndpointChange, type EndpointPatch, type Store, StoreLimitError } from '../../src/store/index.js';
import {
  aMessage,
  anApp,
  anAttemptAt,
  anEndpoint,
  claimInput,
  HOUR,
  seedApp,
  seedEndpoints,
  T0,
  withOpenStore,
} from './fixtures.js';

const ADMIN: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-1' };

export function endpointsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  test('a transformation round-trips through create, update and claim, and null removes it', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const source = "function handler(webhook) {\n  webhook.payload = { text: 'é \\u2603 ☃' };\n  return webhook;\n}";
      const ep = await store.createEndpoint(anEndpoint(app.id, { transformation: source }));
      assert.equal((await store.findEndpoint(app.id, ep.id))?.transformation, source);
      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0 + 1), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0 + 2));
      assert.equal(claimed?.endpoint.transformation, source);
      assert.equal(claimed?.message.createdAt, T0 + 1, 'the event time, the clock the transformation sees');
      const changed = `${source}\n// v2`;
      assert.equal((await store.updateEndpoint(app.id, ep.id, { transformation: changed }, T0 + 3))?.transformation, changed);
      const kept = await store.updateEndpoint(app.id, ep.id, { description: 'kept' }, T0 + 4);
      assert.equal(kept?.transformation, changed, 'a patch without it leaves it');
      assert.equal((await store.updateEndpoint(app.id, ep.id, { transformation: null }, T0 + 5))?.transformation, null);
    }));

  test('a rotated-out secret comes with claims until its overlap ends; a second rotation drops it', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
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

      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0 + 1), idempotencyWindowMs: 0 });
      const [during] = await store.claimDueDeliveries(claimInput(T0 + 999));
      assert.equal(during?.endpoint.secret, 'whsec_bmV3');
      assert.equal(during?.endpoint.previousSecret, 'whsec_dGVzdA==');
      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0 + 2), idempotencyWindowMs: 0 });
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
      const audit = auditEntry(ADMIN, { action: 'endpoint.secret_rotated', appId: app.id, target: ep.id }, T0 + 3);
      const rotation = { secret: 'whsk_a2V5', previousExpiresAt: T0 + 6000, signatureScheme: 'ed25519' as const, audit };
      const switched = await store.changeEndpoint(app.id, ep.id, { rotation, patch: {} }, T0 + 3);
      assert.equal(switched?.signatureScheme, 'ed25519');
      assert.equal(switched?.secret, 'whsk_a2V5');
      assert.equal(switched?.previousSecret, 'whsec_dGhpcmQ=');
      assert.deepEqual(await store.findEndpoint(app.id, ep.id), switched);
    }));

  test('an endpoint’s custom headers are kept in order, replaced whole by a patch, and come with claims', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      const ep = endpoints[0] as Endpoint;
      assert.deepEqual((await store.findEndpoint(app.id, ep.id))?.headers, {});
      const headers = { 'X-Team': 'payments', Authorization: 'Bearer é', 'a-b': '' };
      const patched = await store.updateEndpoint(app.id, ep.id, { headers }, T0 + 1);
      assert.deepEqual(patched?.headers, headers);
      assert.deepEqual(Object.keys(patched?.headers ?? {}), Object.keys(headers), 'names keep their order');
      const unchanged = await store.updateEndpoint(app.id, ep.id, { description: 'd' }, T0 + 2);
      assert.deepEqual(unchanged?.headers, headers, 'a patch without headers leaves them');
      await store.publishMessage({ message: aMessage(app.id), idempotencyWindowMs: 0 });
      const [claimed] = await store.claimDueDeliveries(claimInput(T0));
      assert.deepEqual(claimed?.endpoint.headers, headers);
      assert.equal(claimed?.endpoint.previousSecret, null);
      const cleared = await store.updateEndpoint(app.id, ep.id, { headers: {} }, T0 + 3);
      assert.deepEqual(cleared?.headers, {});

      const created = await store.createEndpoint({ ...ep, id: newId('ep', T0), headers: { 'X-One': '1', 'X-Two': '2' } });
      assert.deepEqual((await store.findEndpoint(app.id, created.id))?.headers, { 'X-One': '1', 'X-Two': '2' });
    }));

  test('credentials are kept apart from the endpoint: written with it or later, read in one call, gone with it', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedEndpoints(store);
      const ep = endpoints[0] as Endpoint;
      const basic: EndpointCredentials = {
        auth: { type: 'basic', username: 'u', password: 'p' },
        clientCertificate: null,
        secretHeaders: { 'X-Key': 'k' },
      };
      const made = anEndpoint(app.id, { id: newId('ep', T0 + 5) });
      await store.createEndpoint(made, 100, basic);
      assert.deepEqual(await store.endpointCredentials([ep.id, made.id, 'ep_missing']), new Map([[made.id, basic]]));
      assert.equal((await store.findEndpoint(app.id, made.id))?.secret, made.secret, 'the endpoint row is unchanged');

      const oauth: EndpointCredentials = {
        auth: { type: 'oauth2', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 's', scope: null, audience: 'x' },
        clientCertificate: { certificate: 'CERT', privateKey: 'KEY', ca: null },
        secretHeaders: {},
      };
      const replace = (id: string, value: EndpointCredentials) => {
        const audit = auditEntry(ADMIN, { action: 'endpoint.credentials_changed', appId: app.id, target: id }, T0 + 6);
        return store.changeEndpoint(app.id, id, { credentials: { value, audit }, patch: {} }, T0 + 6);
      };
      await replace(ep.id, oauth);
      await replace(made.id, { auth: null, clientCertificate: null, secretHeaders: {} });
      assert.deepEqual(await store.endpointCredentials([ep.id, made.id]), new Map([[ep.id, oauth]]), 'none at all removes them');
      assert.deepEqual(await store.endpointCredentials([]), new Map());

      assert.equal(await store.deleteEndpoint(app.id, ep.id), true);
      assert.deepEqual(await store.endpointCredentials([ep.id]), new Map(), 'deleted with the endpoint');
    }));

  test('a change of an endpoint writes every part or none: a part that fails takes back the ones before it', () =>
    withStore(async (store) => {
      const app = await store.createApp(anApp());
      const ep = await store.createEndpoint(anEndpoint(app.id));
      await store.publishMessage({ message: aMessage(app.id, 'a.b', T0 + 1), idempotencyWindowMs: 0 });
      const basic: EndpointCredentials = {
        auth: { type: 'basic', username: 'u', password: 'p' },
        clientCertificate: null,
        secretHeaders: {},
      };
      const entry = (action: string) => auditEntry(ADMIN, { action, appId: app.id, target: ep.id }, T0 + 2);
      const change = (patch: EndpointPatch): EndpointChange => ({
        credentials: { value: basic, audit: entry('endpoint.credentials_changed') },
        rotation: { secret: 'whsec_bmV3', previousExpiresAt: T0 + 1000, audit: entry('endpoint.secret_rotated') },
        disable: { reason: 'by hand', audit: entry('endpoint.disabled') },
        patch,
        audit: entry('endpoint.updated'),
      });
      // The last part throws inside the transaction (no JSON for a BigInt), after the others were written.
      const unwritable = { headers: { 'X-Big': 1n as unknown as string } };
      await assert.rejects(store.changeEndpoint(app.id, ep.id, change(unwritable), T0 + 2), TypeError);
      const kept = await store.findEndpoint(app.id, ep.id);
      assert.equal(kept?.secret, ep.secret, 'not rotated');
      assert.equal(kept?.disabledAt, null, 'not disabled');
      assert.deepEqual(await store.endpointCredentials([ep.id]), new Map(), 'no credentials');
      assert.equal((await store.countDeliveriesByStatus(ep.id)).pending, 1, 'its delivery still pending');
      assert.deepEqual((await store.listAuditLog({ limit: 10 })).data, [], 'no entry');

      const changed = await store.changeEndpoint(app.id, ep.id, change({ description: 'changed' }), T0 + 2);
      assert.equal(changed?.secret, 'whsec_bmV3');
      assert.equal(changed?.previousSecret, ep.secret);
      assert.equal(changed?.disabledAt, T0 + 2);
      assert.equal(changed?.description, 'changed');
      assert.deepEqual(await store.endpointCredentials([ep.id]), new Map([[ep.id, basic]]));
      assert.deepEqual(await store.countDeliveriesByStatus(ep.id), { pending: 0, succeeded: 0, failed: 1, skipped: 0 });
      const actions = (await store.listAuditLog({ limit: 10 })).data.map((e) => e.action).sort();
      assert.deepEqual(actions, [
        'endpoint.credentials_changed',
        'endpoint.disabled',
        'endpoint.secret_rotated',
        'endpoint.updated',
      ]);

      assert.equal(await store.changeEndpoint(app.id, 'ep_missing', change({}), T0 + 3), null, 'no such endpoint');
      assert.equal((await store.listAuditLog({ limit: 10 })).data.length, 4, 'and nothing written for it');
    }));

  test('tenancy: an app gets no endpoint past the limit, even from creates racing each other', () =>
    withStore(async (store) => {
      const full = await store.createApp(anApp());
      const other = await store.createApp({ ...anApp(), id: newId('app', T0) });
      const create = (appId: string) => store.createEndpoint(anEndpoint(appId, { id: newId('ep') }), 3);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => create(full.id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        assert.ok((r as PromiseRejectedResult).reason instanceof StoreLimitError);
      }
      assert.equal((await store.listEndpoints(full.id, { limit: 10 })).data.length, 3);
      // Each app counts its own; without a limit, any number.
      await create(other.id);
      await store.createEndpoint(anEndpoint(full.id, { id: newId('ep') }));
      assert.equal((await store.listEndpoints(full.id, { limit: 10 })).data.length, 4);
    }));

  test('endpoint health counts the last hour’s and day’s attempts, successes and answered latencies', () =>
    withStore(async (store) => {
      const { app, endpoints } = await seedApp(store, 2, 1);
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
          attempt: anAttemptAt(deliveryId, at, status, durationMs),
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
