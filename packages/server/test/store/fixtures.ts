/** Records the store tests create, with only what a test cares about spelled out. */
import {
  type App,
  type Attempt,
  type Endpoint,
  type Message,
  type NextStep,
  newId,
  type Source,
} from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

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
    filter: null,
    signatureScheme: 'standard',
    secret: 'whsec_dGVzdA==',
    previousSecret: null,
    previousSecretExpiresAt: null,
    headers: {},
    transformation: null,
    rateLimit: null,
    maxInFlight: null,
    fifo: false,
    sendTraceContext: false,
    disabledAt: null,
    disabledReason: null,
    pausedAt: null,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** A first attempt at `deliveryId`, answered 200 with an empty body at T0, unless `fields` says otherwise. */
/** A github source of the app, with one secret and no limits. */
export function aSource(appId: string, fields: Partial<Source> = {}): Source {
  return {
    id: newId('src', T0),
    name: 'github',
    appId,
    scheme: 'github',
    secrets: ['s1'],
    allowIps: [],
    rateLimit: null,
    schema: null,
    forwardHeaders: [],
    refusals: 0,
    lastRefusal: null,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

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

/** A first attempt at `deliveryId` started at `startedAt`: answered `status`, or, when null, timed out without one. */
export function anAttemptAt(deliveryId: string, startedAt: number, status: number | null, durationMs = 5): Attempt {
  return {
    id: newId('atm', startedAt),
    deliveryId,
    number: 1,
    startedAt,
    durationMs,
    requestHeaders: {},
    responseStatus: status,
    responseBody: status === null ? null : '',
    error: status === null ? { code: 'headers_timeout', message: 'no response headers within 30000 ms' } : null,
  };
}

/** A message of `type` created at `at`, with a small JSON payload. */
export function aMessage(appId: string, type = 'order.created', at = T0, idempotencyKey: string | null = null): Message {
  return { id: newId('msg', at), appId, type, payload: JSON.stringify({ type, data: {} }), idempotencyKey, createdAt: at };
}

/** What a worker with nothing in flight claims at `now`: leases of 30 s, under an endpoint cap no test reaches. */
export const claimInput = (now: number, limit = 10) => ({ now, limit, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });

/** An app with one endpoint per entry of `events`: that endpoint's event filters (null: every type). */
export async function seedEndpoints(store: Store, events: (string[] | null)[] = [null]) {
  const app = await store.createApp(anApp());
  const endpoints: Endpoint[] = [];
  for (const filters of events) {
    endpoints.push(await store.createEndpoint(anEndpoint(app.id, { events: filters })));
  }
  return { app, endpoints };
}

/** An app with `endpointCount` endpoints, each at a URL of its own, and `messages` published to it at T0. */
export async function seedApp(store: Store, endpointCount = 1, messages = 0) {
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

/** Publishes one `order.created` message to the app at `at`. */
export async function publishAt(store: Store, appId: string, at: number) {
  const payload = JSON.stringify({ type: 'order.created', timestamp: new Date(at).toISOString(), data: {} });
  const message = { id: newId('msg', at), appId, type: 'order.created', payload, idempotencyKey: null, createdAt: at };
  return (await store.publishMessage({ message, idempotencyWindowMs: 0 })).message;
}

/** Claims what is due at `at` (at most `limit`), answers each with `status`, and returns what recording said. */
export async function attemptDue(
  store: Store,
  at: number,
  status: number | null,
  next: NextStep,
  limit = 100,
  disableAfterMs?: number,
) {
  const claimed = await store.claimDueDeliveries({ now: at, limit, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });
  const results = [];
  for (const item of claimed) {
    results.push(
      await store.recordAttempt({
        attempt: anAttempt(item.delivery.id, {
          number: item.delivery.attemptCount + 1,
          startedAt: at,
          responseStatus: status,
          error: status === null ? { code: 'headers_timeout', message: 'no response headers within 30000 ms' } : null,
        }),
        leaseToken: item.leaseToken,
        next,
        now: at,
        disableAfterMs,
      }),
    );
  }
  return results;
}
