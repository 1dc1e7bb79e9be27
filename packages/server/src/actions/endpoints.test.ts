import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selfSigned } from '../../test/helpers/certificates.js';
import type { ResolvedAddress } from '../delivery/index.js';
import { type Endpoint, type EndpointCredentials, newEndpoint, parseNetworks, type Requester } from '../domain/index.js';
import { type EndpointChange, type EndpointPatch, type ReplayInput, StoreLimitError } from '../store/index.js';
import { type ApiError, createEndpoint, enableEndpoint, replayEndpoint, rotateEndpointSecret, updateEndpoint } from './index.js';

/** Who the actions are told asked: the audit log's fields, not checked here. */
const WHO: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-test' };

const NOW = Date.UTC(2026, 0, 1);

/** The store methods the endpoint actions use, over one map, recording replays. */
function fakeStore(limit = Number.POSITIVE_INFINITY) {
  const endpoints = new Map<string, Endpoint>();
  const replays: ReplayInput[] = [];
  const disabled: string[] = [];
  const credentials = new Map<string, EndpointCredentials>();
  return {
    endpoints,
    replays,
    disabled,
    credentials,
    async createEndpoint(endpoint: Endpoint, _max?: number, given?: EndpointCredentials) {
      if (endpoints.size >= limit) throw new StoreLimitError('endpoints', limit);
      endpoints.set(endpoint.id, endpoint);
      if (given) credentials.set(endpoint.id, given);
      return endpoint;
    },
    async endpointCredentials(ids: readonly string[]) {
      return new Map(ids.flatMap((id) => (credentials.has(id) ? [[id, credentials.get(id) as EndpointCredentials]] : [])));
    },
    async findEndpoint(appId: string, id: string) {
      const endpoint = endpoints.get(id);
      return endpoint?.appId === appId ? endpoint : null;
    },
    async updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number) {
      const endpoint = endpoints.get(id);
      if (endpoint?.appId !== appId) return null;
      const { disabled: off, ...rest } = patch;
      const updated = { ...endpoint, ...rest, updatedAt: now };
      if (off === false) Object.assign(updated, { disabledAt: null, disabledReason: null });
      endpoints.set(id, updated);
      return updated;
    },
    async disableEndpoint(id: string, reason: string, now: number) {
      disabled.push(reason);
      const endpoint = endpoints.get(id) as Endpoint;
      endpoints.set(id, { ...endpoint, disabledAt: now, disabledReason: reason });
    },
    async rotateEndpointSecret(appId: string, id: string, secret: string, previousExpiresAt: number, now: number) {
      const endpoint = endpoints.get(id);
      if (endpoint?.appId !== appId) return null;
      const rotated = { ...endpoint, secret, previousSecret: endpoint.secret, previousSecretExpiresAt: previousExpiresAt };
      endpoints.set(id, { ...rotated, updatedAt: now });
      return rotated;
    },
    /** The parts one after another: this map has no transaction to take them back. */
    async changeEndpoint(appId: string, id: string, change: EndpointChange, now: number) {
      if (endpoints.get(id)?.appId !== appId) return null;
      if (change.credentials) credentials.set(id, change.credentials.value);
      if (change.rotation)
        await this.rotateEndpointSecret(appId, id, change.rotation.secret, change.rotation.previousExpiresAt, now);
      if (change.disable) await this.disableEndpoint(id, change.disable.reason, now);
      return this.updateEndpoint(appId, id, change.patch, now);
    },
    async replayDeliveries({ audit, ...input }: ReplayInput) {
      assert.equal(audit?.action, 'endpoint.replayed', 'a replay is recorded with it');
      replays.push(input);
      return 3;
    },
    async countReplayable() {
      return 3;
    },
  };
}

function deps(options: { limit?: number; dns?: Record<string, string> } = {}) {
  const store = fakeStore(options.limit);
  const wakes = { count: 0 };
  return {
    store,
    wakes,
    clock: () => NOW,
    config: { allowedNetworks: parseNetworks(''), maxEndpointsPerApp: options.limit ?? 100, secretOverlapMs: 60_000 },
    resolve: async (host: string): Promise<ResolvedAddress[]> => {
      const address = options.dns?.[host];
      if (!address) throw new Error(`ENOTFOUND ${host}`);
      return [{ address, family: 4 }];
    },
    onDeliveriesDue: () => {
      wakes.count++;
    },
  };
}

const refusedWith = (code: string) => (error: ApiError) => error.code === code;

test('createEndpoint normalises the URL and removes duplicate filters', async () => {
  const d = deps({ dns: { 'example.com': '93.184.216.34' } });
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'HTTPS://Example.com', events: ['a.b', 'a.*', 'a.b'] });
  assert.equal(endpoint.url, 'https://example.com/');
  assert.deepEqual(endpoint.events, ['a.b', 'a.*']);
  assert.equal(endpoint.createdAt, NOW);
  assert.equal(d.store.endpoints.get(endpoint.id)?.appId, 'app_1');
});

test('createEndpoint refuses a URL resolving to a private address, and a URL that is not http(s)', async () => {
  const d = deps({ dns: { 'internal.example': '10.0.0.7' } });
  await assert.rejects(createEndpoint(d, WHO, 'app_1', { url: 'http://internal.example/hook' }), refusedWith('url_not_allowed'));
  await assert.rejects(createEndpoint(d, WHO, 'app_1', { url: 'http://169.254.169.254/' }), refusedWith('url_not_allowed'));
  await assert.rejects(createEndpoint(d, WHO, 'app_1', { url: 'ftp://example.com/' }), refusedWith('invalid_url'));
  await assert.rejects(createEndpoint(d, WHO, 'app_1', { url: 'not a url' }), refusedWith('invalid_url'));
  assert.equal(d.store.endpoints.size, 0);
});

test('createEndpoint takes a name that does not resolve yet: the send-time check still applies', async () => {
  const endpoint = await createEndpoint(deps(), WHO, 'app_1', { url: 'https://not-yet.example/' });
  assert.equal(endpoint.url, 'https://not-yet.example/');
});

test('createEndpoint refuses malformed filters, forbidden headers, and an app at its endpoint limit', async () => {
  const d = deps({ limit: 1 });
  await assert.rejects(
    createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/', events: ['a..b'] }),
    refusedWith('invalid_event_type'),
  );
  await assert.rejects(
    createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/', headers: { 'webhook-id': 'x' } }),
    refusedWith('validation_failed'),
  );
  await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  await assert.rejects(createEndpoint(d, WHO, 'app_1', { url: 'https://b.example/' }), refusedWith('endpoint_limit_reached'));
});

test('an endpoint of another app is not found', async () => {
  const d = deps();
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  await assert.rejects(rotateEndpointSecret(d, WHO, 'app_2', endpoint.id), refusedWith('endpoint_not_found'));
  await assert.rejects(
    updateEndpoint(d, WHO, 'app_2', endpoint.id, { description: 'x' }, 'r'),
    refusedWith('endpoint_not_found'),
  );
});

test('updateEndpoint disabling records the reason given', async () => {
  const d = deps();
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  const updated = await updateEndpoint(
    d,
    WHO,
    'app_1',
    endpoint.id,
    { disabled: true, description: 'paused' },
    'disabled by ops',
  );
  assert.deepEqual(d.store.disabled, ['disabled by ops']);
  assert.equal(updated.description, 'paused');
  assert.equal(updated.disabledReason, 'disabled by ops');
});

test('replaying a disabled endpoint is refused and wakes nothing; enabling it can replay its failures', async () => {
  const d = deps();
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  await updateEndpoint(d, WHO, 'app_1', endpoint.id, { disabled: true }, 'off');
  await assert.rejects(
    replayEndpoint(d, WHO, 'app_1', endpoint.id, { since: NOW - 1000, status: 'failed' }),
    refusedWith('endpoint_disabled'),
  );
  assert.equal(d.wakes.count, 0);

  const { endpoint: enabled, replayed } = await enableEndpoint(d, WHO, 'app_1', endpoint.id, {
    replayFailedSince: NOW - 1000,
  });
  assert.equal(enabled.disabledAt, null);
  assert.equal(replayed, 3);
  assert.deepEqual(d.store.replays, [{ endpointId: endpoint.id, since: NOW - 1000, status: 'failed', now: NOW }]);
  assert.equal(d.wakes.count, 1);

  await replayEndpoint(d, WHO, 'app_1', endpoint.id, { since: NOW - 5, status: 'succeeded' });
  assert.equal(d.store.replays[1]?.status, 'succeeded');
  assert.equal(d.wakes.count, 2);
});

test('enabling without a time replays nothing', async () => {
  const d = deps();
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  assert.equal((await enableEndpoint(d, WHO, 'app_1', endpoint.id)).replayed, 0);
  assert.equal(d.store.replays.length, 0);
});

test('rotating keeps the old secret signing for the overlap', async () => {
  const d = deps();
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/' });
  const rotated = await rotateEndpointSecret(d, WHO, 'app_1', endpoint.id);
  assert.notEqual(rotated.secret, endpoint.secret);
  assert.match(rotated.secret, /^whsec_/);
  assert.equal(rotated.previousSecret, endpoint.secret);
  assert.equal(rotated.previousSecretExpiresAt, NOW + 60_000);
  const given = newEndpoint({ appId: 'x', url: 'https://x/' }, NOW).secret;
  assert.equal((await rotateEndpointSecret(d, WHO, 'app_1', endpoint.id, given)).secret, given);
});

test('credentials: checked before anything is stored, stored with the endpoint, merged field by field on change', async () => {
  const d = deps({ dns: { 'auth.example': '93.184.216.34', 'inside.example': '10.0.0.5' } });
  const endpoint = await createEndpoint(d, WHO, 'app_1', {
    url: 'https://a.example/',
    auth: { type: 'basic', username: 'hookd', password: 'pw' },
    secretHeaders: { 'X-Api-Key': 'k1' },
  });
  assert.deepEqual(d.store.credentials.get(endpoint.id), {
    auth: { type: 'basic', username: 'hookd', password: 'pw' },
    clientCertificate: null,
    secretHeaders: { 'X-Api-Key': 'k1' },
  });
  // A change of one field keeps the others; null removes one.
  await updateEndpoint(d, WHO, 'app_1', endpoint.id, { auth: null }, 'x');
  assert.deepEqual(d.store.credentials.get(endpoint.id)?.secretHeaders, { 'X-Api-Key': 'k1' });
  assert.equal(d.store.credentials.get(endpoint.id)?.auth, null);
  const oauth = { type: 'oauth2' as const, tokenUrl: 'https://auth.example/token', clientId: 'c', clientSecret: 's' };
  await updateEndpoint(d, WHO, 'app_1', endpoint.id, { auth: oauth }, 'x');
  assert.deepEqual(d.store.credentials.get(endpoint.id)?.auth, { ...oauth, scope: null, audience: null });

  const refusals: [string, Parameters<typeof createEndpoint>[3], string][] = [
    ['colon in user', { url: 'https://a.example/', auth: { type: 'basic', username: 'a:b', password: '' } }, 'validation_failed'],
    [
      'private token URL',
      { url: 'https://a.example/', auth: { ...oauth, tokenUrl: 'https://inside.example/t' } },
      'url_not_allowed',
    ],
    ['reserved header', { url: 'https://a.example/', secretHeaders: { 'Webhook-Id': 'x' } }, 'validation_failed'],
    [
      'two Authorizations',
      { url: 'https://a.example/', auth: oauth, secretHeaders: { authorization: 'x' } },
      'validation_failed',
    ],
    [
      'not a certificate',
      { url: 'https://a.example/', clientCertificate: { certificate: 'x', privateKey: 'y' } },
      'validation_failed',
    ],
  ];
  const before = d.store.endpoints.size;
  for (const [what, input, code] of refusals) {
    await assert.rejects(createEndpoint(d, WHO, 'app_1', input), refusedWith(code as ApiError['code']), what);
  }
  assert.equal(d.store.endpoints.size, before, 'nothing refused was stored');
});

test('credentials: a client certificate must come with its own key', async () => {
  const d = deps();
  const mine = selfSigned('hookd client');
  const other = selfSigned('someone else');
  const endpoint = await createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/', clientCertificate: mine });
  assert.deepEqual(d.store.credentials.get(endpoint.id)?.clientCertificate, { ...mine, ca: null });
  await assert.rejects(
    createEndpoint(d, WHO, 'app_1', { url: 'https://a.example/', clientCertificate: { ...mine, privateKey: other.privateKey } }),
    (error: ApiError) => error.code === 'validation_failed' && /does not belong/.test(error.message),
  );
});
