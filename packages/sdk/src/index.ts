/**
 * @hookd/sdk: sign and verify webhooks for every scheme a team meets, receive them through one
 * pipeline (allowlist, rate limit, signature, validation, idempotency, routing, durable queue),
 * and call the hookd API. Node built-ins only; drivers are optional peers.
 *
 * This entry holds what most apps use; each part has its own entry with the rest of its names:
 * `@hookd/sdk/verify` (every scheme's sign and verify), `@hookd/sdk/receiver` (the pipeline, its adapters and
 * types), `@hookd/sdk/client` (the API client and its types), `@hookd/sdk/queue`, `@hookd/sdk/idempotency` and
 * `@hookd/sdk/testing`.
 */
export { createHookdClient, HookdApiError, type HookdClient, type HookdClientOptions } from './client/index.js';
export {
  createReceiver,
  type Receiver,
  type ReceiverOptions,
  toExpressMiddleware,
  toFastifyPlugin,
  toFetchHandler,
  toNodeHandler,
  type WebhookEvent,
  type WebhookHandler,
} from './receiver/index.js';
export {
  generateKeyPair,
  type KeyPair,
  type SchemeName,
  type VerificationErrorCode,
  type Verified,
  type VerifyInput,
  verify,
  WebhookVerificationError,
} from './schemes/index.js';
export { generateSecret } from './secret.js';
