/** The typed client for the hookd API: the only door to this folder. */
export { createHookdClient, type HookdClient, type HookdClientOptions } from './client.js';
export {
  API_ERROR_CODES,
  type ApiErrorCode,
  type ClientErrorCode,
  type ErrorDetail,
  HookdApiError,
  type HookdErrorCode,
} from './errors.js';
export { paginate } from './paginate.js';
export { type HttpMethod, ROUTES, type Route, type RouteName } from './routes.js';
export type {
  App,
  Attempt,
  CreateAppInput,
  CreateEndpointInput,
  CreateEventTypeInput,
  Delivery,
  DeliveryStatus,
  DeliveryWithAttempts,
  Endpoint,
  EndpointStats,
  EventType,
  Health,
  JsonSchema,
  ListDeliveriesOptions,
  ListEventsOptions,
  ListEventTypesOptions,
  Message,
  Page,
  PageOptions,
  PublishInput,
  PublishOptions,
  PublishResult,
  Readiness,
  ReplayInput,
  ReplayResult,
  RotateSecretInput,
  SignatureScheme,
  UpdateAppInput,
  UpdateEndpointInput,
  UpdateEventTypeInput,
} from './types.js';
