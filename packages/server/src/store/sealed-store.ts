/**
 * The one seam where secrets are encrypted: a Store whose write methods seal the secret fields before the
 * underlying store sees them, and whose read methods open them in what they return. Everything else passes through.
 */
import {
  type ClaimedDelivery,
  type Endpoint,
  type EndpointCredentials,
  mapCredentialSecrets,
  type Source,
} from '../domain/index.js';
import type { Page } from './admin-store.js';
import type { SecretBox } from './secret-box.js';
import type { Store } from './store.js';

export function sealedStore(store: Store, box: SecretBox): Store {
  const seal = (value: string) => box.seal(value);
  const open = (value: string) => box.open(value);
  const sealEndpoint = (e: Endpoint): Endpoint => ({
    ...e,
    secret: seal(e.secret),
    previousSecret: e.previousSecret === null ? null : seal(e.previousSecret),
  });
  // An endpoint, or the part of one a claim carries.
  const openEndpoint = <E extends Pick<Endpoint, 'secret' | 'previousSecret'>>(e: E): E => ({
    ...e,
    secret: open(e.secret),
    previousSecret: e.previousSecret === null ? null : open(e.previousSecret),
  });
  const openMaybe = (e: Endpoint | null) => e && openEndpoint(e);
  const sealSource = (s: Source): Source => ({ ...s, secrets: s.secrets.map(seal) });
  const openSource = (s: Source): Source => ({ ...s, secrets: s.secrets.map(open) });
  const openPage = <T>(page: Page<T>, each: (item: T) => T): Page<T> => ({ ...page, data: page.data.map(each) });
  const openClaim = (c: ClaimedDelivery): ClaimedDelivery => ({ ...c, endpoint: openEndpoint(c.endpoint) });
  const sealCredentials = (c: EndpointCredentials) => mapCredentialSecrets(c, seal);

  return {
    ...store,
    async createEndpoint(endpoint, maxPerApp, credentials, audit) {
      const sealed = credentials && sealCredentials(credentials);
      return openEndpoint(await store.createEndpoint(sealEndpoint(endpoint), maxPerApp, sealed, audit));
    },
    async endpointCredentials(endpointIds) {
      const sealed = await store.endpointCredentials(endpointIds);
      return new Map([...sealed].map(([id, c]) => [id, mapCredentialSecrets(c, open)]));
    },
    findEndpoint: async (appId, id) => openMaybe(await store.findEndpoint(appId, id)),
    listEndpoints: async (appId, page) => openPage(await store.listEndpoints(appId, page), openEndpoint),
    async endpointsOfApps(appIds, perApp) {
      const byApp = await store.endpointsOfApps(appIds, perApp);
      return Object.fromEntries(Object.entries(byApp).map(([appId, list]) => [appId, list.map(openEndpoint)]));
    },
    updateEndpoint: async (appId, id, patch, now, audit) => openMaybe(await store.updateEndpoint(appId, id, patch, now, audit)),
    async changeEndpoint(appId, id, change, now) {
      const { credentials, rotation } = change;
      const sealed = {
        ...change,
        ...(credentials && { credentials: { ...credentials, value: sealCredentials(credentials.value) } }),
        // The SQL moves the current (sealed) secret to previous_secret as it is.
        ...(rotation && { rotation: { ...rotation, secret: seal(rotation.secret) } }),
      };
      return openMaybe(await store.changeEndpoint(appId, id, sealed, now));
    },
    async rotateEndpointSecret(appId, id, secret, previousExpiresAt, now, audit) {
      // The SQL moves the current (sealed) secret to previous_secret as it is.
      return openMaybe(await store.rotateEndpointSecret(appId, id, seal(secret), previousExpiresAt, now, audit));
    },
    claimDueDeliveries: async (input) => (await store.claimDueDeliveries(input)).map(openClaim),
    async troubledEndpoints(appId, limit) {
      const troubled = await store.troubledEndpoints(appId, limit);
      return troubled.map((t) => ({ ...t, endpoint: openEndpoint(t.endpoint) }));
    },
    createSource: async (source, audit) => openSource(await store.createSource(sealSource(source), audit)),
    async createSourceWithDestinations(input) {
      const made = await store.createSourceWithDestinations({
        ...input,
        destinations: input.destinations.map(sealEndpoint),
        source: sealSource(input.source),
      });
      return { ...made, destinations: made.destinations.map(openEndpoint), source: openSource(made.source) };
    },
    findSource: async (idOrName) => {
      const source = await store.findSource(idOrName);
      return source && openSource(source);
    },
    listSources: async (page) => openPage(await store.listSources(page), openSource),
    async updateSource(id, patch, now, audit) {
      const sealed = patch.secrets === undefined ? patch : { ...patch, secrets: patch.secrets.map(seal) };
      const source = await store.updateSource(id, sealed, now, audit);
      return source && openSource(source);
    },
  };
}
