export { type AttemptOutcome, createMetrics, type Metrics } from './metrics.js';
