/** The receiver: one framework-neutral pipeline, thin adapters for node:http, Express, Fastify and the Fetch API. `@hookd/sdk/receiver`. */
export {
  type FastifyPluginOptions,
  type FetchRequestInfo,
  toExpressMiddleware,
  toFastifyPlugin,
  toFetchHandler,
  toNodeHandler,
} from './adapters/index.js';
export { type AddressSet, addressSet } from './addresses.js';
export { createReceiverCore } from './create-core.js';
export { createReceiver, DEFAULT_IDEMPOTENCY_TTL_MS } from './create-receiver.js';
export {
  PayloadTooLargeError,
  RawBodyUnavailableError,
  RECEIVER_ERRORS,
  ReceiverConfigError,
  type ReceiverConfigErrorCode,
  type ReceiverErrorCode,
  type RefusalKind,
} from './errors.js';
export { DEFAULT_MAX_BODY_BYTES } from './parts.js';
export type { SqliteQueueShortcut } from './queue-option.js';
export { memoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from './rate-limit.js';
export type {
  EventForPattern,
  EventMap,
  EventPattern,
  HandOffResult,
  IdempotencyOptions,
  IncomingWebhook,
  RateLimitOptions,
  Receiver,
  ReceiverAnswer,
  ReceiverCore,
  ReceiverCoreOptions,
  ReceiverLogger,
  ReceiverMetrics,
  ReceiverOptions,
  ReceiverOutcome,
  ReceiverRequest,
  UnhandledWebhookEvent,
  VerifyOptions,
  WebhookEvent,
  WebhookHandler,
} from './types.js';
export type { IssueInput, PayloadSchema, PayloadValidatorFunction, StandardSchemaLike, ValidationIssue } from './validation.js';
