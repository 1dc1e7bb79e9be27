/**
 * Ingest: one webhook from a provider, checked in order — IP allowlist, signature, rate limit, body, schema —
 * then kept as a message of the source's app (raw body and allowlisted headers, committed before the answer) and
 * handed to the delivery engine. A provider's retry of a delivery id already kept becomes no second message.
 * The rate limit counts verified requests only; refused ones have a bucket of their own, so forgeries cannot
 * spend the provider's share. Refusals are counted on the source in batches, with the last reason, never forwarded.
 */
import { SCHEMES, type SchemeName, verify, WebhookVerificationError } from '@hookd/sdk/verify';
import type { Logger } from 'pino';
import { forwardableHeaders, inboundEventType, newId, type Source } from '../domain/index.js';
import type { AdminStore as Store } from '../store/index.js';
import { isAllowed } from './allowlist.js';
import { type CompiledSource, SourceCache } from './compiled.js';
import { RefusalLog } from './refusal-log.js';

/** Every reason ingest refuses a webhook: each is an API error code with its own HTTP status. */
export type RefusalCode =
  | 'source_not_found'
  | 'ip_not_allowed'
  | 'rate_limited'
  | 'signature_missing'
  | 'signature_invalid'
  | 'body_too_large'
  | 'body_not_text'
  | 'invalid_json'
  | 'payload_invalid';

export interface IngestRequest {
  /** The source's id or name, from the ingest URL. */
  source: string;
  /** The body bytes exactly as received. */
  body: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's address, for the allowlist. */
  address: string | undefined;
}

export type IngestOutcome =
  | { accepted: true; messageId: string; duplicate: boolean }
  /** A provider checking the URL (Slack's url_verification): answered as it asks, neither kept nor forwarded. */
  | { accepted: true; handshake: Record<string, string> }
  | {
      accepted: false;
      code: RefusalCode;
      message: string;
      /** With `rate_limited`: when a request would be let through again. */
      retryAfterMs?: number;
      /** With `payload_invalid`: each failing place, as a JSON Pointer into the body. */
      details?: { path: string; message: string }[];
    };

export interface GatewayDeps {
  store: Store;
  clock: () => number;
  /** How long a provider's delivery id keeps a retry of it from becoming a second event. */
  dedupWindowMs: number;
  /** How often refusals counted in memory are written to their sources. */
  refusalFlushMs: number;
  metrics: { inboundAccepted(duplicate: boolean): void; inboundRefused(reason: string): void };
  /** Called when a kept webhook made deliveries due, so a worker in this process sends them at once. */
  onDeliveriesDue: () => void;
  logger: Logger;
}

// A body that is not UTF-8 would not survive being kept as text; every provider sends JSON or form data.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_DETAILS = 20;
/** Where a source with no provider scheme finds a delivery id to de-duplicate on. */
const GENERIC_ID_HEADERS = ['webhook-id', 'idempotency-key', 'x-github-delivery', 'x-shopify-webhook-id'];

export class InboundGateway {
  private readonly sources: SourceCache;
  private readonly refusals: RefusalLog;

  constructor(private readonly deps: GatewayDeps) {
    this.sources = new SourceCache(deps.store, deps.clock);
    this.refusals = new RefusalLog(deps.store, deps.refusalFlushMs, deps.logger);
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

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const compiled = await this.sources.get(request.source);
    if (!compiled)
      return this.refused(null, 'source_not_found', `no source has the id or name ${JSON.stringify(request.source)}`);
    const { source } = compiled;
    const refuse = (code: RefusalCode, message: string, extra: Partial<IngestOutcome> = {}) =>
      this.refused(source, code, message, extra);

    if (!isAllowed(compiled.allowlist, request.address)) {
      const message = `${request.address ?? 'an unknown address'} is not in the source's IP allowlist`;
      return this.refusedUnverified(compiled, 'ip_not_allowed', message);
    }
    let signedId: string | undefined;
    if (source.scheme !== 'none') {
      try {
        signedId = verify(source.scheme as SchemeName, {
          body: request.body,
          headers: request.headers,
          secrets: source.secrets,
        }).id;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        const code = error.code === 'header_missing' ? 'signature_missing' : 'signature_invalid';
        return this.refusedUnverified(compiled, code, `${error.code}: ${error.message}`);
      }
    }
    // After the signature: only what the provider signed spends the source's rate.
    if (compiled.rateLimit) {
      const decision = await compiled.rateLimit.take(source.id, this.deps.clock());
      if (!decision.allowed) {
        const { perSecond, burst } = source.rateLimit ?? { perSecond: 0, burst: 0 };
        return refuse('rate_limited', `the source takes ${perSecond} requests/s (burst ${burst})`, {
          retryAfterMs: decision.retryAfterMs,
        });
      }
    }
    let text: string;
    try {
      text = utf8.decode(request.body);
    } catch {
      return refuse('body_not_text', 'the body is not valid UTF-8');
    }
    // PostgreSQL text cannot hold U+0000, and no JSON or form body carries it raw.
    if (text.includes('\u0000')) return refuse('body_not_text', 'the body holds a NUL character');
    const payload = parseJson(text);
    const handshake = source.scheme === 'none' ? null : SCHEMES[source.scheme].handshake?.(payload);
    if (handshake) return { accepted: true, handshake };
    if (compiled.validate) {
      if (payload === undefined) return refuse('invalid_json', 'the source has a schema, and the body is not JSON');
      if (!compiled.validate(payload)) {
        const details = (compiled.validate.errors ?? [])
          .slice(0, MAX_DETAILS)
          .map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'is invalid' }));
        const first = details[0];
        return refuse('payload_invalid', `the body does not match the source's schema: ${first?.path} ${first?.message}`, {
          details,
        });
      }
    }

    const now = this.deps.clock();
    // The id the signature covers, where the scheme signs one: an unsigned id header would let a replay pass as new.
    const deliveryId = signedId ?? providerDeliveryId(source, request.headers, payload);
    // Committed before the answer: an acknowledged webhook survives kill -9. The idempotency key makes a
    // provider's retry of a kept delivery id answer with the first message, race-free (a unique key).
    const result = await this.deps.store.publishMessage({
      message: {
        id: newId('msg', now),
        appId: source.appId,
        type: inboundEventType(providerEventType(source, request.headers, payload)),
        payload: text,
        idempotencyKey: deliveryId,
        createdAt: now,
        headers: forwardableHeaders(request.headers, { scheme: source.scheme, extra: source.forwardHeaders }),
      },
      idempotencyWindowMs: this.deps.dedupWindowMs,
    });
    this.deps.metrics.inboundAccepted(result.duplicate);
    if (result.deliveries > 0) this.deps.onDeliveriesDue();
    return { accepted: true, messageId: result.message.id, duplicate: result.duplicate };
  }

  /** Records a refusal found before ingest ran (a body over the size limit) against the source the URL names. */
  async refuseUnread(sourceKey: string, code: RefusalCode, message: string): Promise<IngestOutcome> {
    const compiled = await this.sources.get(sourceKey).catch(() => null);
    return this.refused(compiled?.source ?? null, code, message);
  }

  /**
   * A request refused before it was verified takes from the source's refusal bucket, never from its rate limit;
   * past that bound it is answered 429, so a sender of forgeries is told to slow down.
   */
  private async refusedUnverified(compiled: CompiledSource, code: RefusalCode, message: string): Promise<IngestOutcome> {
    const { source, refusalLimit } = compiled;
    if (refusalLimit) {
      const decision = await refusalLimit.take(source.id, this.deps.clock());
      if (!decision.allowed) {
        const { perSecond, burst } = source.rateLimit ?? { perSecond: 0, burst: 0 };
        return this.refused(
          source,
          'rate_limited',
          `too many refused requests (${code}): the source takes ${perSecond} of them/s (burst ${burst})`,
          { retryAfterMs: decision.retryAfterMs },
        );
      }
    }
    return this.refused(source, code, message);
  }

  private refused(source: Source | null, code: RefusalCode, message: string, extra: Partial<IngestOutcome> = {}): IngestOutcome {
    this.deps.metrics.inboundRefused(code);
    // Counted in memory and written in batches: a flood of refusals is no flood of writes.
    if (source) this.refusals.add(source.id, { code, message, at: this.deps.clock() });
    return { ...extra, accepted: false, code, message } as IngestOutcome;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function header(headers: IngestRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function providerDeliveryId(source: Source, headers: IngestRequest['headers'], payload: unknown): string | null {
  if (source.scheme !== 'none') return SCHEMES[source.scheme].deliveryId(headers, payload);
  for (const name of GENERIC_ID_HEADERS) {
    const value = header(headers, name);
    if (value) return value;
  }
  return null;
}

function providerEventType(source: Source, headers: IngestRequest['headers'], payload: unknown): string | null {
  if (source.scheme !== 'none') return SCHEMES[source.scheme].eventType(headers, payload);
  const type = (payload as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : (header(headers, 'x-event-type') ?? null);
}
