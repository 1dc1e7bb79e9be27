export { isStoreUnavailable, StoreConflictError } from './errors.js';
export { type OpenStoreOptions, openStore } from './open.js';
export type {
  AppPatch,
  ClaimInput,
  DeliveryFilter,
  EndpointPatch,
  MessageFilter,
  Page,
  PageQuery,
  PublishInput,
  PublishResult,
  RecordAttemptInput,
  ReplayInput,
  Store,
} from './store.js';
