/** Records the store tests create, with only what a test cares about spelled out. */
import { type App, type Attempt, type Endpoint, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Opens a store, runs `run` with it, and closes it whatever happens. */
export async function withOpenStore(open: () => Promise<Store>, run: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await run(store);
  } finally {
    await store.close();
  }
}

export function anApp(at = T0): App {
  return {
    id: newId('app', at),
    uid: null,
    name: 'Acme',
    alertWhenSilent: false,
    maxInFlight: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function anEndpoint(appId: string, fields: Partial<Endpoint> = {}): Endpoint {
  return {
    id: newId('ep', T0),
    appId,
    url: 'http://127.0.0.1:9/webhook',
    description: '',
    events: null,
    signatureScheme: 'standard',
    secret: 'whsec_dGVzdA==',
    previousSecret: null,
    previousSecretExpiresAt: null,
    headers: {},
    rateLimit: null,
    maxInFlight: null,
    fifo: false,
    disabledAt: null,
    disabledReason: null,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** A first attempt at `deliveryId`, answered 200 with an empty body at T0, unless `fields` says otherwise. */
export function anAttempt(deliveryId: string, fields: Partial<Attempt> = {}): Attempt {
  return {
    id: newId('atm'),
    deliveryId,
    number: 1,
    startedAt: T0,
    durationMs: 1,
    requestHeaders: {},
    responseStatus: 200,
    responseBody: '',
    error: null,
    ...fields,
  };
}
