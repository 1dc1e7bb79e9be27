export { describeRefusedReason, type Network, parseNetworks, refusedAddressReason } from './addresses.js';
export { MAX_UID_LENGTH, UID_PATTERN, type UidProblem, uidProblem } from './app-uid.js';
export {
  ATTEMPT_ERROR_CODES,
  ATTEMPT_ERRORS,
  type AttemptError,
  type AttemptErrorCode,
  isAttemptErrorCode,
  responseError,
} from './attempt-errors.js';
export {
  type AuditActor,
  type AuditChange,
  type AuditChanges,
  type AuditEntry,
  type AuditFacts,
  auditChanges,
  auditEntry,
  MASKED,
  type Requester,
} from './audit.js';
export { setNewest } from './bounded-map.js';
export { parseDuration } from './durations.js';
export {
  type AuthSummary,
  type ClientCertificate,
  type CredentialSummary,
  credentialSummary,
  type EndpointAuth,
  type EndpointCredentials,
  mapCredentialSecrets,
  NO_CREDENTIALS,
} from './endpoint-credentials.js';
export {
  checkFilter,
  type EndpointFilter,
  FILTER_LIMITS,
  FILTER_MISMATCH,
  FILTER_OPERATORS,
  type FilterFault,
  type FilterVerdict,
  filterSubject,
  filterVerdict,
  skipByFilter,
} from './endpoint-filter.js';
export { endpointHeadersProblem, MAX_ENDPOINT_HEADERS } from './endpoint-headers.js';
export { type NewEndpoint, newEndpoint, newSecretFor, secretFits, signingKeys } from './endpoints.js';
export { isEventTypeFilter, isEventTypeName, matchesEventType } from './event-types.js';
export {
  type ForwardSettings,
  forwardableHeaders,
  forwardHeaderProblem,
  headersToForward,
} from './forwarded-headers.js';
export {
  autoDisableReason,
  type EndpointHealth,
  HEALTH_WINDOWS_MS,
  type HealthWindow,
  healthWindow,
  LATENCY_PERCENTILES,
  nextFailingSince,
  percentileRank,
} from './health.js';
export { type IdPrefix, idAt, newId, timeOfId } from './ids.js';
export { compileJsonSchema } from './json-schema.js';
export { claimAllowance, type EndpointLimits, NO_LIMITS, rateNextAt } from './limits.js';
export {
  type ContentCriterion,
  containmentOf,
  criterionText,
  parseContentCriteria,
  parsePath,
  pathText,
  SEARCH_LIMITS,
  SearchSyntaxError,
  type SearchValue,
} from './message-search.js';
export { type EpisodeStep, type FailingRule, failingEpisodeStep } from './ops-episodes.js';
export { type AttemptContext, type AttemptResult, judgeAttempt, type NextStep, nextStep, type Verdict } from './outcome.js';
export {
  ACCENT_COLOR_PATTERN,
  MAX_BRAND_NAME_LENGTH,
  type PortalBranding,
  portalBrandingProblem,
} from './portal-branding.js';
export type {
  RecoveryCount,
  RecoveryFilter,
  RecoveryJob,
  RecoveryOutcome,
  RecoveryStatus,
} from './recovery.js';
export { keptResponseHeaders, RESPONSE_HEADER_LIMITS } from './response-headers.js';
export { isPurged } from './retention.js';
export { DEFAULT_JITTER, DEFAULT_SCHEDULE_MS, nextRetryDelay, parseRetryAfter, type Random, type RetryPolicy } from './retry.js';
export { schemaExample } from './schema-example.js';
export {
  type PortalClaims,
  readToken,
  sameText,
  signToken,
  type TokenClaims,
  type UiScope,
} from './signed-token.js';
export {
  inboundEventType,
  MAX_SOURCE_SECRETS,
  SOURCE_SCHEMES,
  type Source,
  type SourceRateLimit,
  type SourceRefusal,
  type SourceScheme,
} from './sources.js';
export { SYSTEM_TIMERS, type Timers } from './timers.js';
export {
  judgeTransformed,
  TRANSFORMATION_LIMITS,
  type TransformedRequest,
  type TransformOutcome,
  type Webhook,
  webhookOf,
} from './transformation.js';
export { TtlCache } from './ttl-cache.js';
export * from './types.js';
