export { type AttemptOutcome, createMetrics, type Metrics } from './metrics.js';
export { type RetentionDeps, RetentionLoop } from './retention.js';
