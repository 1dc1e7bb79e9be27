/** What the endpoint routes take: each field's schema, which also documents it in the OpenAPI document. */
import { MAX_ENDPOINT_HEADERS, SIGNATURE_SCHEMES } from '../../domain/index.js';
import { NO_NUL } from '../schemas.js';

export const endpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_NUL },
  description: { type: 'string', maxLength: 1024, pattern: NO_NUL },
  events: {
    type: ['array', 'null'],
    maxItems: 256,
    items: { type: 'string', minLength: 1, maxLength: 258, pattern: NO_NUL },
    description: 'Event types to receive: exact names, `prefix.*` or `*`. Absent, null or empty: every type.',
  },
  filter: {
    type: ['object', 'null'],
    description:
      'Deliver only messages that match this MongoDB-style query, e.g. `{"type": "invoice.paid", "data.amount": {"$gt": 100}}`; ' +
      'a published event is `{type, timestamp, data}`, a request a source took in `{body, headers, query}`. Operators: ' +
      '$eq $ne $gt $gte $lt $lte $in $nin $exists $regex ($options) $and $or $not, dotted paths. A message it does not ' +
      'match gets a `skipped` delivery. null removes it; a refused one answers 422 `filter_invalid`.',
  },
  signatureScheme: {
    type: 'string',
    enum: SIGNATURE_SCHEMES,
    description:
      '`standard` (Standard Webhooks HMAC, the default), `ed25519` (Standard Webhooks `v1a`: receivers hold only a public key) or `hmac-sha256-hex`.',
  },
  headers: {
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 4096 },
    description:
      `Sent with every delivery, e.g. \`{"X-Team": "payments"}\`: at most ${MAX_ENDPOINT_HEADERS}, names HTTP tokens, ` +
      'values without control characters; the headers hookd sets (content-type, user-agent, webhook-*, x-webhook-*, …) cannot be overridden.',
  },
  transformation: {
    type: ['string', 'null'],
    description:
      'JavaScript defining `function handler(webhook) { … return webhook; }`, run in a sandbox before each delivery is ' +
      'signed: `webhook` holds `method`, `url` (path and query may change), `headers` and `payload`; returning null or ' +
      '`{cancel: true}` skips the delivery. At most 64 KiB, checked when saved (`transformation_invalid`); null removes it.',
  },
  rateLimit: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 100_000,
    description: 'Deliveries started per second, at most, across all workers; null: no limit.',
  },
  maxInFlight: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 1_000,
    description: 'Deliveries in flight at once, at most, across all workers; null: each worker’s own cap only.',
  },
  fifo: {
    type: 'boolean',
    description:
      'One delivery at a time, in publish order; one that fails holds back the rest until it succeeds or exhausts its retries.',
  },
  sendTraceContext: {
    type: 'boolean',
    description:
      'Deliveries carry W3C `traceparent` and `tracestate` headers, so the receiver’s traces join hookd’s (when hookd exports traces). Default false: the trace ids of your system are not handed to a third party unless you ask.',
  },
  auth: {
    description:
      'How hookd authenticates to the endpoint, write-only: HTTP Basic, or an OAuth 2.0 client-credentials token (Authorization: Bearer). null removes it.',
    oneOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: {
          type: { const: 'basic' },
          username: { type: 'string', maxLength: 256, pattern: NO_NUL },
          password: { type: 'string', maxLength: 1024, pattern: NO_NUL },
        },
        required: ['type', 'username', 'password'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          type: { const: 'oauth2' },
          tokenUrl: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_NUL },
          clientId: { type: 'string', minLength: 1, maxLength: 512, pattern: NO_NUL },
          clientSecret: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_NUL },
          scope: { type: 'string', maxLength: 1024, pattern: NO_NUL },
          audience: { type: 'string', maxLength: 1024, pattern: NO_NUL },
        },
        required: ['type', 'tokenUrl', 'clientId', 'clientSecret'],
        additionalProperties: false,
      },
    ],
  },
  clientCertificate: {
    description:
      'mTLS: the PEM certificate and unencrypted key hookd presents, and optionally a PEM CA to trust; null removes it.',
    oneOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: {
          certificate: { type: 'string', minLength: 1, maxLength: 65_536 },
          privateKey: { type: 'string', minLength: 1, maxLength: 65_536 },
          ca: { type: 'string', minLength: 1, maxLength: 65_536 },
        },
        required: ['certificate', 'privateKey'],
        additionalProperties: false,
      },
    ],
  },
  secretHeaders: {
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 4096 },
    description: 'Headers sent like `headers` whose values are never shown again (API keys); replaced whole.',
  },
} as const;
export const secretField = {
  type: 'string',
  pattern: '^(whsec_[A-Za-z0-9+/=]{32,128}|whsk_[A-Za-z0-9+/=]{43,88})$',
  description: 'Bring your own secret (`whsec_…`, or a `whsk_…` secret key for ed25519); one is generated otherwise.',
} as const;
