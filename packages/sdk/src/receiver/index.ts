/** The receiver: one framework-neutral pipeline, thin adapters for node:http, Express, Fastify and the Fetch API. `@hookd/sdk/receiver`. */
export {
  type FastifyPluginOptions,
  type FetchRequestInfo,
  toExpressMiddleware,
  toFastifyPlugin,
  toFetchHandler,
  toNodeHandler,
} from './adapters/index.js';
export { createReceiver, DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_MAX_BODY_BYTES } from './create-receiver.js';
export {
  PayloadTooLargeError,
  RawBodyUnavailableError,
  RECEIVER_ERRORS,
  ReceiverConfigError,
  type ReceiverConfigErrorCode,
  type ReceiverErrorCode,
  type RefusalKind,
} from './errors.js';
export type { SqliteQueueShortcut } from './queue-option.js';
export { memoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from './rate-limit.js';
export type {
  EventForPattern,
  EventMap,
  EventPattern,
  IdempotencyOptions,
  RateLimitOptions,
  Receiver,
  ReceiverAnswer,
  ReceiverLogger,
  ReceiverMetrics,
  ReceiverOptions,
  ReceiverRequest,
  UnhandledWebhookEvent,
  VerifyOptions,
  WebhookEvent,
  WebhookHandler,
} from './types.js';
export type { IssueInput, PayloadSchema, PayloadValidatorFunction, StandardSchemaLike, ValidationIssue } from './validation.js';
