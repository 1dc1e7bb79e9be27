export type {
  AdminStore,
  AppPatch,
  AuditQuery,
  DeliveryFilter,
  EndpointChange,
  EndpointPatch,
  EventTypePatch,
  EventTypeQuery,
  MessageFilter,
  MessagePage,
  MessagePageQuery,
  NewApp,
  NewSource,
  Page,
  PageQuery,
  PublishInput,
  PublishResult,
  ReplayInput,
  SearchPlan,
  SecretRotation,
  SourcePatch,
  SourceRefusalCount,
} from './admin-store.js';
export { RECENT_REFUSALS_KEPT, UNINDEXED_SCAN_LIMIT } from './admin-store.js';
export { type AtRestStart, prepareSecretsAtRest, type Rotation, resealSecrets } from './at-rest.js';
export type { AttemptActivity, AttemptFeedQuery, EndpointAttemptsQuery } from './attempt-feed.js';
export type { CopyProgress, TableCopied } from './copy-to-postgres.js';
export type {
  AttemptBucket,
  AttemptSeriesQuery,
  DashboardStore,
  DeliveryCounts,
  EndpointErrors,
  EndpointErrorsQuery,
  EndpointListing,
  ErrorMixEntry,
  TroubledEndpoint,
} from './dashboard-store.js';
export {
  CopyRefusedError,
  isMissingReference,
  isStoreFull,
  isStoreUnavailable,
  StoreConflictError,
  StoreLimitError,
} from './errors.js';
export { privateDir, privateFile, privateFiles } from './files.js';
export { type KeySource, keyFilePath, openKeySource, parseMasterKeys, readKeyFile, writeKeyFile } from './master-key.js';
export { copySqliteToPostgres, isSharedDatabase, type OpenStoreOptions, openStore } from './open.js';
export type {
  EndpointFailureRate,
  FailureRateQuery,
  HistoryMaintenance,
  HistoryMaintenanceInput,
  OpsStore,
  PurgeInput,
  PurgeResult,
  QueueStats,
  SchemaVersion,
  SilentApp,
} from './ops-store.js';
export type { ClaimInput, Lease, QueueStore, RecordAttemptInput, RecordAttemptResult, Wake } from './queue-store.js';
export type { RecoveryBatch, RecoveryBatchInput, RecoveryClaimInput, RecoveryStore } from './recovery-store.js';
export { sealedStore } from './sealed-store.js';
export { generateMasterKey, type MasterKey, MissingKeyError, SecretBox } from './secret-box.js';
export type { Store } from './store.js';
