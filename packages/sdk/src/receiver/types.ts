/** The receiver's public types: what the core reads from an adapter, what it answers, and what handlers get. */
import type { HeaderSource } from '../bytes.js';
import type { IdempotencyStore } from '../idempotency/index.js';
import type { DeadLetter, WebhookQueue } from '../queue/index.js';
import type { SchemeName } from '../schemes/index.js';
import type { ReceiverErrorCode, RefusalKind } from './errors.js';
import type { SqliteQueueShortcut } from './queue-option.js';
import type { RateLimitStore } from './rate-limit.js';
import type { PayloadSchema, ValidationIssue } from './validation.js';

/** What an adapter hands the core: it reads the request, it never interprets it. */
export interface ReceiverRequest {
  method: string;
  headers: HeaderSource;
  /** The socket's peer address, as the runtime reports it; proxies are the core's concern. */
  remoteAddress: string | undefined;
  /** The request target (path and query, or a whole URL), for the webhook's `query`; absent: no query. */
  url?: string;
  /**
   * The raw body bytes exactly as received. Rejects with PayloadTooLargeError past `maxBytes`,
   * with RawBodyUnavailableError when a framework consumed the stream and kept no copy.
   * Called at most once, and only after the address checks pass.
   */
  readBody(maxBytes: number): Promise<Uint8Array>;
}

/** What the core answers; the adapter writes it as it is. */
export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
}

/** pino-shaped: an object of details first, then a message. console works too. */
export interface ReceiverLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** One webhook as a handler sees it. */
export interface WebhookEvent<TPayload = unknown, TType extends string = string> {
  /** The sender's delivery id (webhook-id, X-GitHub-Delivery, …), or one made up on arrival. */
  id: string;
  type: TType;
  /** The parsed JSON body (the schema's output when a Standard Schema is set). */
  payload: TPayload;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body as received, UTF-8. */
  body: string;
  /** Unix milliseconds. */
  receivedAt: number;
  /** 1 on the first try; queue retries count up. Inline mode is always 1: the sender's retry is a new request. */
  attempt: number;
}

/** A webhook whose type no handler matched; `type` is null when the request names none. */
export type UnhandledWebhookEvent = Omit<WebhookEvent, 'type'> & { type: string | null };

export type WebhookHandler<TEvent> = (event: TEvent) => void | Promise<void>;

/** The event-type → payload map a user may declare: `createReceiver<{ 'payment.completed': { amount: number } }>()`. */
export type EventMap = Record<string, unknown>;

/** An exact type of the map, `'prefix.*'` or `'*'`. */
export type EventPattern<TEvents extends EventMap> = (keyof TEvents & string) | `${string}.*` | '*';

type TypesMatching<TEvents extends EventMap, P extends string> = P extends '*'
  ? keyof TEvents & string
  : P extends `${infer Prefix}.*`
    ? Extract<keyof TEvents & string, `${Prefix}.${string}`>
    : Extract<keyof TEvents & string, P>;

type EventOf<TEvents extends EventMap, K> = K extends keyof TEvents & string ? WebhookEvent<TEvents[K], K> : never;

/** A union over the matching types, so `switch (event.type)` narrows the payload; unknown payload when none match. */
export type EventForPattern<TEvents extends EventMap, P extends string> = [TypesMatching<TEvents, P>] extends [never]
  ? WebhookEvent<unknown, string>
  : EventOf<TEvents, TypesMatching<TEvents, P>>;

/** Counters a process can export as they are; every refusal kind starts at 0. */
export interface ReceiverMetrics {
  /** Every request that reached the receiver. */
  received: number;
  /** Webhooks whose handlers all completed. */
  processed: number;
  /** Handler runs that threw (each queue attempt counts). */
  failed: number;
  /** Requests answered `duplicate: true` without being handled again. */
  duplicates: number;
  refused: Record<RefusalKind, number>;
}

export interface VerifyOptions {
  scheme: SchemeName;
  /** One secret, or several while one is being rotated (any of them may match). */
  secrets: string | readonly string[];
  /** Seconds a signed timestamp may be off from now, where the scheme signs one; default 300. */
  toleranceSeconds?: number;
}

export interface RateLimitOptions {
  /** Tokens added per second, per source address. */
  perSecond: number;
  /** Requests a source may make at once before the rate applies. */
  burst: number;
  /** Source addresses tracked at most in memory; the least recently seen are forgotten. Default 10 000. */
  maxTrackedIps?: number;
  /** Another store (Redis, …) shared by several processes; replaces the in-memory buckets. */
  store?: RateLimitStore;
  /**
   * What spends the rate. `address` (default): every request, in a bucket per client address, before the body is read.
   * `verified`: only requests whose signature verified (every request, without `verify`), in one bucket for the
   * receiver, after the signature. Requests refused before then spend a second bucket of the same size and are
   * answered 429 past it: a flood of forgeries cannot spend what the sender's signed webhooks need.
   */
  counts?: 'address' | 'verified';
  /** With `counts: 'verified'`: the store of the refused requests' bucket; default in memory. */
  refusalStore?: RateLimitStore;
}

export interface IdempotencyOptions {
  /** Default: an in-memory store (one process, lost on restart) holding at most `maxKeys` ids. */
  store?: IdempotencyStore;
  /** How long a delivery id is remembered; default 24 h. */
  ttlMs?: number;
  /** Header carrying the delivery id when the scheme has none (or no scheme is set), e.g. `idempotency-key`. */
  header?: string;
  /** Bound of the default in-memory store; default 100 000. */
  maxKeys?: number;
}

export interface ReceiverOptions {
  /** Addresses and CIDR ranges (IPv4 and IPv6) allowed to call; others get 403. Default: everyone. */
  allowIps?: readonly string[];
  /**
   * Which proxies may speak for the client through X-Forwarded-For: a count of hops in front of
   * this process, or the proxies' addresses and CIDR ranges. Default: none; the socket's address is the client.
   */
  trustProxy?: number | readonly string[];
  rateLimit?: RateLimitOptions;
  /** Signature verification; without it, anyone who can reach the receiver can post to it. */
  verify?: VerifyOptions;
  /** A Standard Schema (zod, valibot, arktype…) or a function returning issues (for JSON Schema / ajv). */
  schema?: PayloadSchema;
  /** De-duplication on the delivery id; on by default with an in-memory store, `false` to turn it off. */
  idempotency?: IdempotencyOptions | false;
  /** A durable queue, or `{ path }` to build the SQLite one (needs better-sqlite3 installed). */
  queue?: WebhookQueue | SqliteQueueShortcut;
  /** `queue` answers once the webhook is enqueued (default with a queue); `inline` runs handlers first (default without). */
  mode?: 'inline' | 'queue';
  /** Largest body read, in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  logger?: ReceiverLogger;
  /** Unix milliseconds; injected in tests. */
  clock?: () => number;
}

export interface Receiver<TEvents extends EventMap = EventMap> {
  /** Handlers run in the order they were added; the first throw fails the webhook (and a retry runs them all again). */
  on<P extends EventPattern<TEvents>>(pattern: P, handler: WebhookHandler<EventForPattern<TEvents, P>>): this;
  /** Runs when no `on` handler matches the type (or the request names no type). */
  onUnhandled(handler: WebhookHandler<UnhandledWebhookEvent>): this;
  /** The whole pipeline for one request; adapters call this and write the answer. Never rejects. */
  handle(request: ReceiverRequest): Promise<ReceiverAnswer>;
  /** Starts handling from the queue; call it once the handlers are registered. Nothing to do inline. */
  start(): Promise<void>;
  /** Stops the queue's handling and closes what the receiver built itself. */
  close(): Promise<void>;
  deadLetters(options?: { limit?: number }): Promise<DeadLetter[]>;
  /** Puts dead letters back in the queue (all when no ids are given); returns how many. */
  replay(jobIds?: readonly string[]): Promise<number>;
  readonly mode: 'inline' | 'queue';
  readonly maxBodyBytes: number;
  readonly metrics: Readonly<ReceiverMetrics>;
}

/** What the core decided for one request, before it is written as an answer. */
export type ReceiverOutcome =
  | { accepted: true; id: string; duplicate: boolean }
  /** A sender checking the URL (Slack's url_verification): answered as it asks, never handed off. */
  | { accepted: true; handshake: Record<string, string> }
  | {
      accepted: false;
      code: ReceiverErrorCode;
      status: number;
      /** For people; it never repeats the code. */
      message: string;
      /** Retry-After, Allow. */
      headers: Record<string, string>;
      /** With `validation_failed`: why. */
      issues?: ValidationIssue[];
    };

/** One accepted webhook as the core hands it off. */
export interface IncomingWebhook {
  /** The sender's delivery id (the one its signature covers, where it signs one); null when it names none. */
  deliveryId: string | null;
  type: string | null;
  /** The raw body as received, UTF-8. */
  body: string;
  /** The parsed JSON (the schema's output with a Standard Schema); undefined for a text body that is not JSON. */
  payload: unknown;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The request URL's query parameters (the first value of each name); empty when the adapter gave no URL. */
  query: Record<string, string>;
  /** Unix milliseconds. */
  receivedAt: number;
}

/** Where the hand-off kept the webhook, and whether it had it already (it de-duplicates). */
export interface HandOffResult {
  id: string;
  duplicate: boolean;
}

/** createReceiverCore: the pipeline with a hand-off of the caller's own instead of handlers and a queue. */
export interface ReceiverCoreOptions extends Omit<ReceiverOptions, 'queue' | 'mode' | 'idempotency'> {
  /**
   * Stores or queues the webhook and de-duplicates it on `deliveryId`; the answer waits for it. A rejection is
   * answered 503 `enqueue_failed`, so the sender retries.
   */
  handOff(webhook: IncomingWebhook): Promise<HandOffResult>;
  /**
   * `json` (default): the body must be JSON. `text`: any UTF-8 body without NUL characters (form data too), which
   * must be JSON only when a `schema` is set.
   */
  body?: 'json' | 'text';
  /** Told of every refusal, after it is logged and counted in `metrics`. */
  onRefusal?(code: ReceiverErrorCode, message: string): void;
}

export interface ReceiverCore {
  /** The whole pipeline for one request. Never rejects. */
  handle(request: ReceiverRequest): Promise<ReceiverOutcome>;
  readonly metrics: Readonly<ReceiverMetrics>;
  /** Closes the stores the core built itself. */
  close(): Promise<void>;
}
