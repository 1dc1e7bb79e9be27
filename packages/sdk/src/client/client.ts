/** A typed client for the hookd API, one method per route, on Node's global fetch. */
import { createTransport } from './transport.js';
import type {
  App,
  AppToken,
  AttemptLogEntry,
  CreateAppInput,
  CreateAppTokenInput,
  CreatedAppToken,
  CreateEndpointInput,
  CreateEventTypeInput,
  CreateSourceInput,
  Delivery,
  DeliveryWithAttempts,
  EnableEndpointInput,
  EnableEndpointResult,
  Endpoint,
  EndpointStats,
  EventType,
  FilterTestInput,
  FilterTestResult,
  Health,
  ListDeliveriesOptions,
  ListEndpointAttemptsOptions,
  ListEventsOptions,
  ListEventTypesOptions,
  Message,
  MessagePage,
  Page,
  PageOptions,
  PortalLink,
  PortalLinkInput,
  PublishInput,
  PublishOptions,
  PublishResult,
  Readiness,
  Recovery,
  RecoveryCount,
  RecoveryInput,
  ReplayInput,
  ReplayResult,
  RotateSecretInput,
  Source,
  UpdateAppInput,
  UpdateEndpointInput,
  UpdateEventTypeInput,
  UpdateSourceInput,
} from './types.js';

export interface HookdClientOptions {
  /** Where hookd listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API token, sent as `Authorization: Bearer …`. */
  token: string;
  /** Defaults to the global fetch; pass another to add a proxy, logging or a test double. */
  fetch?: typeof fetch;
  /** Longest a call may take, answer body included; 30 s by default. */
  timeoutMs?: number;
}

/** `app` is the app's id or its uid; the other ids are the records' own. */
export interface HookdClient {
  apps: {
    create(input: CreateAppInput): Promise<App>;
    list(options?: PageOptions): Promise<Page<App>>;
    get(app: string): Promise<App>;
    update(app: string, patch: UpdateAppInput): Promise<App>;
    /** Deletes the app with its endpoints, messages and deliveries. */
    delete(app: string): Promise<void>;
    /** A short-lived signed URL that opens the dashboard for this app only (the app portal). */
    portalLink(app: string, input?: PortalLinkInput): Promise<PortalLink>;
  };
  /** API tokens that reach one app only; managing them needs the admin token. */
  tokens: {
    /** The answer's `token` is shown this once; hookd keeps only its SHA-256. */
    create(app: string, input?: CreateAppTokenInput): Promise<CreatedAppToken>;
    list(app: string): Promise<{ data: AppToken[] }>;
    /** Revokes the token at once. */
    delete(app: string, token: string): Promise<void>;
  };
  endpoints: {
    create(app: string, input: CreateEndpointInput): Promise<Endpoint>;
    list(app: string, options?: PageOptions): Promise<Page<Endpoint>>;
    get(app: string, endpoint: string): Promise<Endpoint>;
    update(app: string, endpoint: string, patch: UpdateEndpointInput): Promise<Endpoint>;
    delete(app: string, endpoint: string): Promise<void>;
    /** Gives the endpoint a new secret; the old one keeps signing beside it for the server's overlap (24 h by default). */
    rotateSecret(app: string, endpoint: string, input?: RotateSecretInput): Promise<Endpoint>;
    /** Sends again the endpoint's deliveries with a status (default failed) created since a time. */
    replay(app: string, endpoint: string, input: ReplayInput): Promise<ReplayResult>;
    /** Counts by status, and attempts, success rate and latency over the last hour and day. */
    stats(app: string, endpoint: string): Promise<EndpointStats>;
    /** The endpoint's attempts log, newest first: by outcome, error code and time. */
    attempts(app: string, endpoint: string, options?: ListEndpointAttemptsOptions): Promise<Page<AttemptLogEntry>>;
    /** Whether a sample or a past message matches the endpoint's filter (or `input.filter`), without sending anything. */
    testFilter(app: string, endpoint: string, input: FilterTestInput): Promise<FilterTestResult>;
    /** Enables the endpoint, forgetting its failures; with `replayFailedSince`, sends again its failed deliveries since then. */
    enable(app: string, endpoint: string, input?: EnableEndpointInput): Promise<EnableEndpointResult>;
    /** Holds the endpoint's deliveries: pending, not attempted, retries untouched, until it is resumed. */
    pause(app: string, endpoint: string): Promise<Endpoint>;
    /** Lets a paused endpoint's held deliveries flow again. */
    resume(app: string, endpoint: string): Promise<Endpoint>;
  };
  /** Recovery jobs: re-queue in the background the deliveries a filter matches. */
  recoveries: {
    /** What the filter matches now, per endpoint; starts nothing. */
    count(app: string, input?: RecoveryInput): Promise<RecoveryCount>;
    start(app: string, input?: RecoveryInput): Promise<Recovery>;
    list(app: string, options?: PageOptions): Promise<Page<Recovery>>;
    get(app: string, recovery: string): Promise<Recovery>;
    cancel(app: string, recovery: string): Promise<Recovery>;
  };
  events: {
    publish(app: string, event: PublishInput, options?: PublishOptions): Promise<PublishResult>;
    list(app: string, options?: ListEventsOptions): Promise<MessagePage>;
    get(app: string, message: string): Promise<Message>;
    /** The message's deliveries, one per endpoint. */
    deliveries(app: string, message: string, options?: PageOptions): Promise<Page<Delivery>>;
  };
  /** The event-type catalog, global to the server (admin token). */
  eventTypes: {
    create(input: CreateEventTypeInput): Promise<EventType>;
    list(options?: ListEventTypesOptions): Promise<Page<EventType>>;
    get(name: string): Promise<EventType>;
    /** Changes the description or schema, or archives (`archived: true`) or restores the type. */
    update(name: string, patch: UpdateEventTypeInput): Promise<EventType>;
  };
  deliveries: {
    list(app: string, options?: ListDeliveriesOptions): Promise<Page<Delivery>>;
    /** The delivery with every attempt. */
    get(app: string, delivery: string): Promise<DeliveryWithAttempts>;
    /** Attempts the delivery again now, with a fresh retry schedule. */
    retry(app: string, delivery: string): Promise<Delivery>;
  };
  /** Inbound webhooks (admin token): `source` is the source's id or its name. */
  sources: {
    /** Creates the source with its own app, whose endpoints are the destinations. */
    create(input: CreateSourceInput): Promise<Source>;
    list(options?: PageOptions): Promise<Page<Source>>;
    get(source: string): Promise<Source>;
    update(source: string, patch: UpdateSourceInput): Promise<Source>;
    /** Deletes the source, its destinations and what it ingested. */
    delete(source: string): Promise<void>;
  };
  /** The process is up. */
  health(): Promise<Health>;
  /** Whether the store answers and the worker runs; a not-ready answer is returned, not thrown. */
  ready(): Promise<Readiness>;
}

export function createHookdClient(options: HookdClientOptions): HookdClient {
  const call = createTransport({
    baseUrl: options.baseUrl,
    token: options.token,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  return {
    apps: {
      create: (input) => call('createApp', { body: input }),
      list: (query) => call('listApps', { query }),
      get: (app) => call('getApp', { params: { app } }),
      update: (app, patch) => call('updateApp', { params: { app }, body: patch }),
      delete: (app) => call('deleteApp', { params: { app } }),
      portalLink: (app, input = {}) => call('createPortalLink', { params: { app }, body: input }),
    },
    tokens: {
      create: (app, input = {}) => call('createAppToken', { params: { app }, body: input }),
      list: (app) => call('listAppTokens', { params: { app } }),
      delete: (app, token) => call('deleteAppToken', { params: { app, token } }),
    },
    endpoints: {
      create: (app, input) => call('createEndpoint', { params: { app }, body: input }),
      list: (app, query) => call('listEndpoints', { params: { app }, query }),
      get: (app, ep) => call('getEndpoint', { params: { app, ep } }),
      update: (app, ep, patch) => call('updateEndpoint', { params: { app, ep }, body: patch }),
      delete: (app, ep) => call('deleteEndpoint', { params: { app, ep } }),
      rotateSecret: (app, ep, input = {}) => call('rotateEndpointSecret', { params: { app, ep }, body: input }),
      replay: (app, ep, input) => call('replayEndpoint', { params: { app, ep }, body: input }),
      stats: (app, ep) => call('endpointStats', { params: { app, ep } }),
      attempts: (app, ep, query) => call('listEndpointAttempts', { params: { app, ep }, query }),
      testFilter: (app, ep, input) => call('testEndpointFilter', { params: { app, ep }, body: input }),
      enable: (app, ep, input = {}) => call('enableEndpoint', { params: { app, ep }, body: input }),
      pause: (app, ep) => call('pauseEndpoint', { params: { app, ep } }),
      resume: (app, ep) => call('resumeEndpoint', { params: { app, ep } }),
    },
    recoveries: {
      count: (app, input = {}) => call('startRecovery', { params: { app }, body: { ...input, dryRun: true } }),
      start: (app, input = {}) => call('startRecovery', { params: { app }, body: input }),
      list: (app, query) => call('listRecoveries', { params: { app }, query }),
      get: (app, rcv) => call('getRecovery', { params: { app, rcv } }),
      cancel: (app, rcv) => call('cancelRecovery', { params: { app, rcv } }),
    },
    events: {
      publish: (app, event, { idempotencyKey } = {}) =>
        call('publishEvent', {
          params: { app },
          body: { type: event.type, data: event.data },
          headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
        }),
      list: (app, query) => call('listEvents', { params: { app }, query }),
      get: (app, msg) => call('getEvent', { params: { app, msg } }),
      deliveries: (app, msg, query) => call('listEventDeliveries', { params: { app, msg }, query }),
    },
    eventTypes: {
      create: (input) => call('createEventType', { body: input }),
      list: (query) => call('listEventTypes', { query }),
      get: (name) => call('getEventType', { params: { name } }),
      update: (name, patch) => call('updateEventType', { params: { name }, body: patch }),
    },
    deliveries: {
      list: (app, query) => call('listDeliveries', { params: { app }, query }),
      get: (app, dlv) => call('getDelivery', { params: { app, dlv } }),
      retry: (app, dlv) => call('retryDelivery', { params: { app, dlv } }),
    },
    sources: {
      create: (input) => call('createSource', { body: input }),
      list: (query) => call('listSources', { query }),
      get: (source) => call('getSource', { params: { source } }),
      update: (source, patch) => call('updateSource', { params: { source }, body: patch }),
      delete: (source) => call('deleteSource', { params: { source } }),
    },
    health: () => call('health'),
    ready: () => call('ready', { alsoOk: [503] }),
  };
}
