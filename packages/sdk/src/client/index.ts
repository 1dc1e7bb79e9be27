/** The typed client for the hookd API: the only door to this folder. */
export { createHookdClient, type HookdClient, type HookdClientOptions } from './client.js';
export { API_ERROR_CODES, type ApiErrorCode, type ClientErrorCode, HookdApiError, type HookdErrorCode } from './errors.js';
export { paginate } from './paginate.js';
export { type HttpMethod, ROUTES, type Route, type RouteName } from './routes.js';
export type {
  App,
  Attempt,
  CreateAppInput,
  CreateEndpointInput,
  Delivery,
  DeliveryStatus,
  DeliveryWithAttempts,
  Endpoint,
  EndpointStats,
  Health,
  ListDeliveriesOptions,
  ListEventsOptions,
  Message,
  Page,
  PageOptions,
  PublishInput,
  PublishOptions,
  PublishResult,
  Readiness,
  ReplayInput,
  ReplayResult,
  SignatureScheme,
  UpdateAppInput,
  UpdateEndpointInput,
} from './types.js';
