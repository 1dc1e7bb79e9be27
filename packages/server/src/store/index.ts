export { isStoreUnavailable, StoreConflictError } from './errors.js';
export { type OpenStoreOptions, openStore } from './open.js';
export type {
  AppPatch,
  ClaimInput,
  DeliveryFilter,
  EndpointPatch,
  EventTypePatch,
  EventTypeQuery,
  MessageFilter,
  Page,
  PageQuery,
  PublishInput,
  PublishResult,
  PurgeInput,
  PurgeResult,
  QueueStats,
  RecordAttemptInput,
  ReplayInput,
  Store,
} from './store.js';
