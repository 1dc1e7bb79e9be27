/**
 * Ingest: one webhook from a provider through the SDK's receiver pipeline (IP allowlist, signature, rate limit, text
 * body, schema), then a store-backed hand-off: kept as a message of the source's app (raw body and allowlisted
 * headers, committed before the answer) and handed to the delivery engine. A provider's retry of a delivery id
 * already kept becomes no second message. Refusals answer the receiver's codes (RECEIVER_ERRORS), plus
 * `source_not_found`; each is counted on the source in batches, with the last reason, and never forwarded.
 */
import {
  createReceiverCore,
  type HandOffResult,
  type IncomingWebhook,
  RECEIVER_ERRORS,
  type ReceiverCore,
  type ReceiverErrorCode,
  type ReceiverLogger,
  type ReceiverOutcome,
} from '@hookd/sdk/receiver';
import type { Logger } from 'pino';
import {
  compileJsonSchema,
  filterSubject,
  forwardableHeaders,
  inboundEventType,
  type Message,
  newId,
  type Source,
  skipByFilter,
} from '../domain/index.js';
import { NO_TRACING, type Tracing } from '../ops/index.js';
import type { AdminStore } from '../store/index.js';
import { type SourceBuckets, SourceCache } from './compiled.js';
import { RefusalLog } from './refusal-log.js';

export interface IngestRequest {
  /** The source's id or name, from the ingest URL. */
  source: string;
  /** The body bytes exactly as received (Fastify's bodyLimit has bounded them to HOOKD_MAX_PAYLOAD). */
  body: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's address, for the allowlist. */
  address: string | undefined;
  /** The request target (`/in/github?tenant=acme`): its query is what content filters see as `query`. */
  url?: string;
}

/** The receiver's outcome, or the one refusal ingest adds: the URL names no source (the API's 404 `source_not_found`). */
export type IngestOutcome =
  | ReceiverOutcome
  | { accepted: false; code: 'source_not_found'; status: 404; message: string; headers: Record<string, string> };

export interface GatewayDeps {
  store: Pick<AdminStore, 'findSource' | 'publishMessage' | 'recordSourceRefusals'>;
  clock: () => number;
  /** How long a provider's delivery id keeps a retry of it from becoming a second event. */
  dedupWindowMs: number;
  /** How often refusals counted in memory are written to their sources. */
  refusalFlushMs: number;
  metrics: {
    inboundAccepted(duplicate: boolean): void;
    inboundRefused(reason: string): void;
    deliveriesSkipped(count: number): void;
  };
  /** Called when a kept webhook made deliveries due, so a worker in this process sends them at once. */
  onDeliveriesDue: () => void;
  logger: Logger;
  /** Absent: no spans. */
  tracing?: Pick<Tracing, 'span' | 'active'>;
}

/** Where a source with no provider scheme finds a delivery id to de-duplicate on. */
const GENERIC_ID_HEADERS = ['webhook-id', 'idempotency-key', 'x-github-delivery', 'x-shopify-webhook-id'];

export class InboundGateway {
  private readonly sources: SourceCache;
  private readonly refusals: RefusalLog;
  private readonly receiverLogger: ReceiverLogger;

  constructor(private readonly deps: GatewayDeps) {
    this.sources = new SourceCache(deps.store, deps.clock, (source, buckets) => this.receiverFor(source, buckets));
    this.refusals = new RefusalLog(deps.store, deps.refusalFlushMs, deps.logger);
    // Refusals are counted on the source and in metrics: a line each at warn would make a flood of forgeries a
    // flood of logs. Failures (5xx) stay errors.
    const { logger } = deps;
    this.receiverLogger = {
      info: (details, message) => logger.debug(details, message),
      warn: (details, message) => logger.debug(details, message),
      error: (details, message) => logger.error(details, message),
    };
  }

  /** Writes the refusals counted so far. */
  flushRefusals(): Promise<void> {
    return this.refusals.flush();
  }

  /** Stops the refusal timer and writes what is left: call before the store closes. */
  async close(): Promise<void> {
    await this.refusals.close();
  }

  /** Forgets what is cached for a source that changed or was deleted. */
  forget(source: Pick<Source, 'id' | 'name'>): void {
    this.sources.forget(source);
  }

  /** Starts a trace, or continues the provider's (its `traceparent`), that the kept message's deliveries join. */
  ingest(request: IngestRequest): Promise<IngestOutcome> {
    const attributes = { 'hookd.source': request.source };
    const how = { kind: 'server', parent: request.headers, attributes } as const;
    return this.tracing.span('hookd.ingest', how, async (span) => {
      const outcome = await this.receive(request);
      if (!outcome.accepted) span.fail(outcome.code, outcome.message);
      return outcome;
    });
  }

  private get tracing(): Pick<Tracing, 'span' | 'active'> {
    return this.deps.tracing ?? NO_TRACING;
  }

  private async receive(request: IngestRequest): Promise<IngestOutcome> {
    const compiled = await this.sources.get(request.source);
    if (!compiled) {
      this.deps.metrics.inboundRefused('source_not_found');
      const message = `no source has the id or name ${JSON.stringify(request.source)}`;
      return { accepted: false, code: 'source_not_found', status: 404, message, headers: {} };
    }
    return compiled.receiver.handle({
      method: 'POST',
      headers: request.headers,
      remoteAddress: request.address,
      ...(request.url === undefined ? {} : { url: request.url }),
      readBody: async () => request.body,
    });
  }

  /** Records a refusal found before ingest ran (a body over the size limit) against the source the URL names. */
  async refuseUnread(sourceKey: string, code: ReceiverErrorCode, message: string): Promise<IngestOutcome> {
    const compiled = await this.sources.get(sourceKey).catch(() => null);
    if (compiled) this.count(compiled.source, code, message);
    else this.deps.metrics.inboundRefused(code);
    return { accepted: false, code, status: RECEIVER_ERRORS[code].status, message, headers: {} };
  }

  private receiverFor(source: Source, buckets: SourceBuckets | null): ReceiverCore {
    const validate = source.schema === null ? null : compileJsonSchema(source.schema);
    return createReceiverCore({
      // An empty allowlist lets every address in.
      ...(source.allowIps.length > 0 ? { allowIps: source.allowIps } : {}),
      ...(source.scheme === 'none' ? {} : { verify: { scheme: source.scheme, secrets: source.secrets } }),
      ...(source.rateLimit && buckets
        ? {
            rateLimit: { ...source.rateLimit, counts: 'verified', store: buckets.verified, refusalStore: buckets.refused },
          }
        : {}),
      ...(validate ? { schema: (payload: unknown) => (validate(payload) ? null : validate.errors) } : {}),
      // Providers send JSON or form data (Slack's commands); only a schema needs JSON.
      body: 'text',
      clock: this.deps.clock,
      logger: this.receiverLogger,
      handOff: (webhook) => this.keep(source, webhook),
      onRefusal: (code, message) => this.count(source, code, message),
    });
  }

  private async keep(source: Source, webhook: IncomingWebhook): Promise<HandOffResult> {
    const now = this.deps.clock();
    const span = this.tracing.active();
    // Committed before the answer: an acknowledged webhook survives kill -9. The idempotency key makes a
    // provider's retry of a kept delivery id answer with the first message, race-free (a unique key). The
    // pipeline's delivery id is the one the signature covers, where the scheme signs one.
    const message: Message = {
      id: newId('msg', now),
      appId: source.appId,
      type: inboundEventType(eventType(source, webhook)),
      payload: webhook.body,
      idempotencyKey: webhook.deliveryId ?? genericDeliveryId(source, webhook.headers),
      createdAt: now,
      headers: forwardableHeaders(webhook.headers, { scheme: source.scheme, extra: source.forwardHeaders }),
      trace: span.context(),
      query: webhook.query,
    };
    const result = await this.deps.store.publishMessage({
      message,
      idempotencyWindowMs: this.deps.dedupWindowMs,
      skip: skipByFilter(() => filterSubject(message)),
    });
    span.set({
      'hookd.message.id': result.message.id,
      'hookd.app.id': source.appId,
      'hookd.event.type': result.message.type,
      'hookd.message.duplicate': result.duplicate,
    });
    this.deps.metrics.inboundAccepted(result.duplicate);
    if (result.skipped > 0) this.deps.metrics.deliveriesSkipped(result.skipped);
    if (result.deliveries > 0) this.deps.onDeliveriesDue();
    return { id: result.message.id, duplicate: result.duplicate };
  }

  private count(source: Source, code: string, message: string): void {
    this.deps.metrics.inboundRefused(code);
    // Counted in memory and written in batches: a flood of refusals is no flood of writes.
    this.refusals.add(source.id, { code, message, at: this.deps.clock() });
  }
}

function genericDeliveryId(source: Source, headers: Record<string, string>): string | null {
  if (source.scheme !== 'none') return null;
  for (const name of GENERIC_ID_HEADERS) {
    const value = headers[name];
    if (value) return value;
  }
  return null;
}

/** A source with no scheme may name the type in a header, when its body does not. */
function eventType(source: Source, webhook: IncomingWebhook): string | null {
  return webhook.type ?? (source.scheme === 'none' ? (webhook.headers['x-event-type'] ?? null) : null);
}
