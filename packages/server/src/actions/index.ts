/**
 * Every user-visible operation, once: the API, the dashboard and the CLI call these. Each takes the narrow
 * dependencies it needs and refuses with an ApiError carrying a stable code; none knows about HTTP or HTML.
 */

export { type AppInput, cachedAppId, checkUid, createApp, deleteApp, getApp, updateApp } from './apps.js';
export type { AuthInput, CredentialInput } from './endpoint-credentials.js';
export { type PauseDeps, pauseEndpoint, resumeEndpoint } from './endpoint-pause.js';
export { checkEndpointHeaders, checkEndpointUrl, checkFilters, type UrlCheckDeps } from './endpoint-rules.js';
export {
  addEndpoint,
  type CreateEndpointDeps,
  countFailedWhileDisabled,
  createEndpoint,
  deleteEndpoint,
  disableEndpoint,
  type EnableOptions,
  type EndpointChanges,
  type EndpointInput,
  enableEndpoint,
  getEndpoint,
  type ReplayDeps,
  replayEndpoint,
  rotateEndpointSecret,
  type UpdateEndpointDeps,
  updateEndpoint,
} from './endpoints.js';
export { ApiError, ERRORS, type ErrorCode, type ErrorDetail } from './errors.js';
export { type EventTypeChecks, eventTypeChecks } from './event-type-checks.js';
export { PORTAL_PATH, type PortalLinkRequest, portalLink, readPortalLink, rotateSigningKey, signingKey } from './portal.js';
export { type EventToPublish, type PublishDeps, publishEvent, publishTo, sendTestEvent } from './publish.js';
export {
  cancelRecovery,
  countRecovery,
  getRecovery,
  type RecoveryDeps,
  type RecoveryRequest,
  type RecoveryView,
  startRecovery,
} from './recoveries.js';
export { type RetryDeps, retryDelivery } from './retry.js';
export { type MessageSearch, type SearchPage, searchMessages } from './search-messages.js';
export {
  type CreateSourceDeps,
  createSource,
  deleteSource,
  getSource,
  type SourceChanges,
  type SourceInput,
  updateSource,
} from './sources.js';
export { type FilterSample, type FilterTestResult, type TestFilterDeps, testEndpointFilter } from './test-filter.js';
export { type TransformationTrial, testTransformation } from './test-transformation.js';
