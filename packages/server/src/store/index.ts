export type { AttemptActivity, AttemptFeedQuery } from './attempt-feed.js';
export type {
  AttemptBucket,
  AttemptSeriesQuery,
  DeliveryCounts,
  EndpointListing,
  TroubledEndpoint,
} from './dashboard.js';
export { isStoreFull, isStoreUnavailable, StoreConflictError, StoreLimitError } from './errors.js';
export { privateDir, privateFile, privateFiles } from './files.js';
export { type OpenStoreOptions, openStore } from './open.js';
export type {
  AppPatch,
  ClaimInput,
  DeliveryFilter,
  EndpointFailureRate,
  EndpointPatch,
  EventTypePatch,
  EventTypeQuery,
  FailureRateQuery,
  MessageFilter,
  NewApp,
  NewSource,
  Page,
  PageQuery,
  PublishInput,
  PublishResult,
  PurgeInput,
  PurgeResult,
  QueueStats,
  RecordAttemptInput,
  RecordAttemptResult,
  ReplayInput,
  SchemaVersion,
  SilentApp,
  SourcePatch,
  SourceRefusalCount,
  Store,
} from './store.js';
