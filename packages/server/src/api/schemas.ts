/** JSON Schemas of what the API takes and returns; fastify validates with them and the OpenAPI document shows them. */
import { ATTEMPT_ERROR_CODES, DELIVERY_STATUSES, SIGNATURE_SCHEMES } from '../domain/index.js';

const timestamp = { type: 'string', format: 'date-time' } as const;
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;

/** Text fields refuse U+0000: PostgreSQL text cannot hold it, and no name or URL needs it. */
export const NO_NUL = '^[^\\u0000]*$';

const errorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'Only with some codes (`schema_mismatch`): each failing place, as a JSON Pointer into the request body.',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
            required: ['path', 'message'],
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const appSchema = {
  $id: 'App',
  type: 'object',
  properties: {
    id: { type: 'string' },
    uid: { type: ['string', 'null'] },
    name: { type: 'string' },
    alertWhenSilent: { type: 'boolean', description: 'Raise the ops event `ingest.silent` when no event arrives for a while.' },
    maxInFlight: {
      type: ['integer', 'null'],
      description: 'Most of its deliveries one worker process keeps in flight; null: HOOKD_APP_CONCURRENCY.',
    },
    portalBranding: {
      type: ['object', 'null'],
      description: 'The portal’s name, logo and accent colour; null: hookd’s own look.',
      properties: {
        name: { type: 'string' },
        logoUrl: { type: ['string', 'null'] },
        accentColor: { type: ['string', 'null'] },
      },
    },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  required: ['id', 'uid', 'name', 'alertWhenSilent', 'maxInFlight', 'createdAt', 'updatedAt'],
} as const;

const endpointSchema = {
  $id: 'Endpoint',
  type: 'object',
  properties: {
    id: { type: 'string' },
    appId: { type: 'string' },
    url: { type: 'string' },
    description: { type: 'string' },
    events: { type: ['array', 'null'], items: { type: 'string' }, description: 'Event-type filters; null receives every type.' },
    filter: {
      description:
        'A content filter in MongoDB query syntax that a message must match to be delivered here (one that does not ' +
        'gets a `skipped` delivery); null: none.',
    },
    signatureScheme: { type: 'string', enum: SIGNATURE_SCHEMES },
    secret: {
      type: ['string', 'null'],
      description: 'The signing secret, `whsec_…`; null for ed25519, whose secret key never leaves hookd.',
    },
    publicKey: {
      type: ['string', 'null'],
      description: 'ed25519 only: the `whpk_…` public key receivers verify `v1a` signatures with; null otherwise.',
    },
    auth: {
      type: ['object', 'null'],
      description: 'How hookd authenticates to the endpoint, without its secret: `basic` with the user name, or `oauth2`.',
      properties: {
        type: { type: 'string', enum: ['basic', 'oauth2'] },
        username: { type: 'string' },
        tokenUrl: { type: 'string' },
        clientId: { type: 'string' },
        scope: { type: ['string', 'null'] },
        audience: { type: ['string', 'null'] },
      },
      required: ['type'],
    },
    clientCertificate: {
      type: ['object', 'null'],
      description: 'The client certificate hookd presents (mTLS), without its key; null when none.',
      properties: {
        subject: { type: 'string' },
        validTo: timestamp,
        fingerprint256: { type: 'string' },
        customCa: { type: 'boolean', description: 'Whether a CA of its own is trusted for this endpoint.' },
      },
      required: ['subject', 'validTo', 'fingerprint256', 'customCa'],
    },
    secretHeaders: {
      type: 'array',
      items: { type: 'string' },
      description: 'The names of the secret headers sent; their values are never shown.',
    },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Custom headers sent with every delivery; `{}` when none.',
    },
    transformation: {
      type: ['string', 'null'],
      description: 'The JavaScript run on each delivery before it is signed (see Transformations in the README); null: none.',
    },
    rateLimit: { type: ['integer', 'null'], description: 'Deliveries started per second, at most; null: no limit.' },
    maxInFlight: { type: ['integer', 'null'], description: 'Deliveries in flight at once, at most; null: no limit of its own.' },
    fifo: { type: 'boolean', description: 'One delivery at a time, in publish order.' },
    sendTraceContext: {
      type: 'boolean',
      description: 'Deliveries carry the W3C `traceparent` and `tracestate` of their attempt (when tracing is on).',
    },
    disabled: { type: 'boolean' },
    disabledAt: nullableTimestamp,
    disabledReason: { type: ['string', 'null'] },
    paused: {
      type: 'boolean',
      description: 'Its deliveries are held: pending, not attempted, until it is resumed (independent of `disabled`).',
    },
    pausedAt: nullableTimestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  required: [
    'id',
    'appId',
    'url',
    'description',
    'events',
    'filter',
    'signatureScheme',
    'secret',
    'publicKey',
    'auth',
    'clientCertificate',
    'secretHeaders',
    'headers',
    'transformation',
    'rateLimit',
    'maxInFlight',
    'fifo',
    'sendTraceContext',
    'disabled',
    'disabledAt',
    'disabledReason',
    'paused',
    'pausedAt',
    'createdAt',
    'updatedAt',
  ],
} as const;

const messageSchema = {
  $id: 'Message',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Sent as `webhook-id`; the same across retries and replays.' },
    appId: { type: 'string' },
    type: { type: 'string' },
    timestamp,
    data: { description: 'The event data as published; null once retention has purged it.' },
    idempotencyKey: { type: ['string', 'null'] },
    purged: { type: 'boolean', description: 'True once retention has dropped the data; the message and its deliveries stay.' },
    test: {
      type: 'boolean',
      description: 'Present and true for a test event: sent to one endpoint only, its envelope says `"test": true`.',
    },
  },
  required: ['id', 'appId', 'type', 'timestamp', 'data', 'idempotencyKey', 'purged'],
} as const;

const deliverySchema = {
  $id: 'Delivery',
  type: 'object',
  properties: {
    id: { type: 'string' },
    appId: { type: 'string' },
    messageId: { type: 'string' },
    endpointId: { type: 'string' },
    status: { type: 'string', enum: DELIVERY_STATUSES },
    attemptCount: { type: 'integer' },
    nextAttemptAt: nullableTimestamp,
    lastError: { type: ['string', 'null'] },
    skipReason: {
      type: ['string', 'null'],
      description:
        'Why a `skipped` delivery was held back and never attempted (`filter: did not match`); null for any other status.',
    },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  required: [
    'id',
    'appId',
    'messageId',
    'endpointId',
    'status',
    'attemptCount',
    'nextAttemptAt',
    'lastError',
    'skipReason',
    'createdAt',
    'updatedAt',
  ],
} as const;

/** Why an attempt failed, or null when it succeeded; the codes are the README's attempt error table. */
export const attemptErrorSchema = {
  type: ['object', 'null'],
  description:
    'Why the attempt failed (a network error, a timeout named by phase, or a non-2xx answer), or null when it succeeded. ' +
    'Switch on `code`; `message` is for people.',
  properties: {
    code: { type: 'string', enum: ATTEMPT_ERROR_CODES },
    message: { type: 'string' },
  },
  required: ['code', 'message'],
} as const;

const attemptSchema = {
  $id: 'Attempt',
  type: 'object',
  properties: {
    id: { type: 'string' },
    number: { type: 'integer' },
    startedAt: timestamp,
    durationMs: { type: 'integer' },
    requestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    responseStatus: { type: ['integer', 'null'] },
    responseBody: { type: ['string', 'null'], description: 'The first 4 KiB of the response body.' },
    responseHeaders: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string' },
      description: 'At most 50 headers and 4 KiB; cookies and credentials are never kept. Null when nothing answered.',
    },
    requestBody: {
      type: ['string', 'null'],
      description: 'The body sent when a transformation made it; null: the message’s payload was sent as stored.',
    },
    error: attemptErrorSchema,
  },
  required: ['id', 'number', 'startedAt', 'durationMs', 'requestHeaders', 'responseStatus', 'responseBody', 'error'],
} as const;

const eventTypeSchema = {
  $id: 'EventType',
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    schema: { description: 'The JSON Schema (draft-07) published `data` must match, or null for any data.' },
    archived: { type: 'boolean', description: 'Archived types are refused on publish.' },
    archivedAt: nullableTimestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  required: ['name', 'description', 'schema', 'archived', 'archivedAt', 'createdAt', 'updatedAt'],
} as const;

/** A recovery job's filter: the request's fields as given, times as ISO strings. */
const recoveryFilterSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['failed', 'succeeded'] },
    endpointId: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    since: timestamp,
    until: timestamp,
    errorCode: { type: 'string', enum: ATTEMPT_ERROR_CODES },
  },
  required: ['status'],
} as const;

const recoverySchema = {
  $id: 'Recovery',
  type: 'object',
  properties: {
    id: { type: 'string' },
    appId: { type: 'string' },
    status: { type: 'string', enum: ['running', 'completed', 'cancelled'] },
    filter: recoveryFilterSchema,
    total: { type: 'integer', description: 'Deliveries the filter matched when the job started.' },
    requeued: { type: 'integer', description: 'Deliveries re-queued so far; each at most once per job.' },
    scanned: { type: 'integer', description: 'Deliveries in the filter’s status looked at so far, matching or not.' },
    progress: { type: 'number', description: 'requeued / total, from 0 to 1; 1 once the job completed.' },
    outcome: {
      type: ['object', 'null'],
      description: 'Where the re-queued deliveries stand now; null before the first is re-queued (not in the stream).',
      properties: {
        delivered: { type: 'integer', description: 'Attempted again and succeeded.' },
        failedAgain: { type: 'integer', description: 'Attempted again and not succeeded (yet).' },
        waiting: { type: 'integer', description: 'Not attempted again yet.' },
      },
      required: ['delivered', 'failedAgain', 'waiting'],
    },
    createdBy: { type: 'string', description: 'Who started it, as the audit log names actors.' },
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: nullableTimestamp,
  },
  required: [
    'id',
    'appId',
    'status',
    'filter',
    'total',
    'requeued',
    'scanned',
    'progress',
    'outcome',
    'createdBy',
    'createdAt',
    'updatedAt',
    'finishedAt',
  ],
} as const;

export const SHARED_SCHEMAS = [
  errorSchema,
  appSchema,
  endpointSchema,
  messageSchema,
  deliverySchema,
  attemptSchema,
  eventTypeSchema,
  recoverySchema,
];

export const ref = (id: string) => ({ $ref: `${id}#` });

export function pageOf(id: string) {
  return {
    type: 'object',
    properties: { data: { type: 'array', items: ref(id) }, nextCursor: { type: ['string', 'null'] } },
    required: ['data', 'nextCursor'],
  } as const;
}

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 250, default: 50 },
  after: { type: 'string', maxLength: 64, description: 'The `nextCursor` of the previous page.' },
} as const;

/** Error answers every authenticated route may give. */
export const commonErrors = { 400: ref('Error'), 401: ref('Error'), 403: ref('Error'), 404: ref('Error') } as const;
