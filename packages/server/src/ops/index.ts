export { AuditShipper, type AuditShipperDeps } from './audit-shipper.js';
export { OPS_EVENT_TYPES, type OpsEventType } from './event-types.js';
export { OPS_APP_NAME, OPS_APP_UID, OpsEvents, type OpsEventsDeps, type RecordedAttempt } from './events.js';
export { type AttemptOutcome, createMetrics, type Metrics } from './metrics.js';
export { type CheckResult, OpsMonitor, type OpsMonitorDeps } from './monitor.js';
export { RecoveryLoop, type RecoveryLoopDeps } from './recoveries.js';
export { type RetentionDeps, RetentionLoop } from './retention.js';
export {
  NO_TRACING,
  type SpanAttributes,
  type SpanOptions,
  startTracing,
  type TraceCarrier,
  type TraceSpan,
  type Tracing,
  tracesWanted,
} from './tracing.js';
