export { type Network, parseNetworks, refusedAddressReason } from './addresses.js';
export { isEventTypeFilter, isEventTypeName, matchesEventType } from './event-types.js';
export { type IdPrefix, isId, newId } from './ids.js';
export { type AttemptResult, judgeAttempt, type Verdict } from './outcome.js';
export { DEFAULT_JITTER, DEFAULT_SCHEDULE_MS, nextRetryDelay, parseRetryAfter, type Random, type RetryPolicy } from './retry.js';
export * from './types.js';
