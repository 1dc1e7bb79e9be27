/**
 * The receiver's steps for one request, in order: method, IP allowlist, rate limit, body, signature,
 * JSON, schema, idempotency, then hand-off (handlers inline, the queue, or a core's own). Each refusal is logged,
 * counted and decided with its stable code; the first one ends the request. The doors write the outcome.
 */
import { readHeader, toBuffer } from '../bytes.js';
import type { IdempotencyStore } from '../idempotency/index.js';
import type { Scheme, Verified } from '../schemes/index.js';
import type { AddressSet, ClientAddressResolver } from './addresses.js';
import { RECEIVER_ERRORS, type ReceiverErrorCode } from './errors.js';
import { headerRecord } from './headers.js';
import type { RateLimitStore } from './rate-limit.js';
import type {
  HandOffResult,
  IncomingWebhook,
  ReceiverLogger,
  ReceiverMetrics,
  ReceiverOutcome,
  ReceiverRequest,
} from './types.js';
import { type PayloadSchema, type ValidationIssue, validatePayload } from './validation.js';

export interface PipelineParts {
  resolveClient: ClientAddressResolver;
  allowlist: AddressSet | undefined;
  /** `verified`: one bucket taken after the signature, and `refusals` for what is refused before it. */
  rateLimit:
    | { counts: 'address'; store: RateLimitStore }
    | { counts: 'verified'; store: RateLimitStore; refusals: RateLimitStore }
    | undefined;
  verify: { scheme: Scheme; secrets: string | readonly string[]; toleranceSeconds: number | undefined } | undefined;
  schema: PayloadSchema | undefined;
  idempotency: { store: IdempotencyStore; ttlMs: number; header: string | undefined } | undefined;
  /** `text`: any UTF-8 body without NUL is taken, and must be JSON only with a schema. */
  body: 'json' | 'text';
  maxBodyBytes: number;
  logger: ReceiverLogger;
  clock: () => number;
  metrics: ReceiverMetrics;
  /** Runs the handlers (inline), enqueues (queue) or hands off (core); a rejection means the webhook was not taken. */
  deliver(webhook: IncomingWebhook): Promise<HandOffResult>;
  /** What a rejected `deliver` answers. */
  deliverFailure: { code: 'handler_failed' | 'enqueue_failed'; message: string };
  onRefusal: ((code: ReceiverErrorCode, message: string) => void) | undefined;
}

interface Refusal {
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  issues?: ValidationIssue[];
}

/** The one bucket of `counts: 'verified'`: the receiver's whole rate, whoever sends. */
const RECEIVER_KEY = '*';
// Fatal: a body that is not UTF-8 would not survive being kept as text.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Codes are matched by value, not class, so errors from another copy of the SDK are still recognised. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createPipeline(parts: PipelineParts): (request: ReceiverRequest) => Promise<ReceiverOutcome> {
  const { logger, metrics, clock } = parts;
  // Copies of one delivery in progress in this process, counted from before their claim, so a copy that
  // loses the claim while the winner is still working gets 409 (retry later) rather than a premature 200.
  const inProgress = new Map<string, number>();

  function refuse(code: ReceiverErrorCode, message: string, refusal: Refusal = {}): ReceiverOutcome {
    const { status, kind } = RECEIVER_ERRORS[code];
    if (kind !== null) metrics.refused[kind]++;
    const log = status >= 500 ? logger.error : logger.warn;
    log.call(logger, { code, status, ...refusal.details }, `webhook refused: ${message}`);
    parts.onRefusal?.(code, message);
    const outcome: ReceiverOutcome = { accepted: false, code, status, message, headers: { ...refusal.headers } };
    return refusal.issues === undefined ? outcome : { ...outcome, issues: refusal.issues };
  }

  /** A refusal before the signature verified: with `counts: 'verified'` it spends the refusals' bucket first. */
  async function refuseUnverified(code: ReceiverErrorCode, message: string, refusal: Refusal): Promise<ReceiverOutcome> {
    const { rateLimit } = parts;
    if (rateLimit?.counts === 'verified') {
      const decision = await rateLimit.refusals.take(RECEIVER_KEY, clock());
      if (!decision.allowed) return tooMany(decision.retryAfterMs, 'too many refused requests', refusal.details);
    }
    return refuse(code, message, refusal);
  }

  function tooMany(retryAfterMs: number, what: string, details: Record<string, unknown> | undefined): ReceiverOutcome {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return refuse('rate_limited', `${what}; retry in ${seconds} s`, { details, headers: { 'retry-after': String(seconds) } });
  }

  function leave(id: string): void {
    const count = (inProgress.get(id) ?? 1) - 1;
    if (count === 0) inProgress.delete(id);
    else inProgress.set(id, count);
  }

  async function steps(request: ReceiverRequest): Promise<ReceiverOutcome> {
    const { headers } = request;
    if (request.method.toUpperCase() !== 'POST') {
      return refuseUnverified('method_not_allowed', `${request.method} is not accepted; send a POST`, {
        headers: { allow: 'POST' },
      });
    }
    const ip = parts.resolveClient(request.remoteAddress, readHeader(headers, 'x-forwarded-for'));
    const details: Record<string, unknown> = { ip };
    if (parts.allowlist !== undefined && !parts.allowlist.has(ip)) {
      return refuseUnverified('ip_not_allowed', `${ip ?? 'an unknown address'} may not send webhooks here`, { details });
    }
    const { rateLimit } = parts;
    if (rateLimit?.counts === 'address') {
      const decision = await rateLimit.store.take(ip ?? 'unknown', clock());
      if (!decision.allowed) return tooMany(decision.retryAfterMs, `too many webhooks from ${ip}`, details);
    }

    let raw: Uint8Array;
    try {
      raw = await request.readBody(parts.maxBodyBytes);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'raw_body_unavailable') return refuse(code, (error as Error).message, { details });
      if (code === 'payload_too_large') return refuseUnverified(code, (error as Error).message, { details });
      return refuseUnverified('body_unreadable', 'the request body could not be read', { details: { ...details, err: error } });
    }

    const { verify } = parts;
    let verified: Verified | undefined;
    if (verify !== undefined) {
      try {
        const { secrets, toleranceSeconds } = verify;
        const now = Math.floor(clock() / 1000);
        verified = verify.scheme.verify({
          body: raw,
          headers,
          secrets,
          now,
          ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
        });
      } catch (error) {
        const code = errorCode(error);
        if (code !== undefined && code in RECEIVER_ERRORS && RECEIVER_ERRORS[code as ReceiverErrorCode].kind === 'signature') {
          return refuseUnverified(code as ReceiverErrorCode, (error as Error).message, { details });
        }
        throw error;
      }
    }
    // After the signature: only what the sender signed spends the receiver's rate.
    if (rateLimit?.counts === 'verified') {
      const decision = await rateLimit.store.take(RECEIVER_KEY, clock());
      if (!decision.allowed) return tooMany(decision.retryAfterMs, 'more webhooks than the rate allows', details);
    }

    let body: string;
    if (parts.body === 'text') {
      const text = decodeText(raw);
      if (text === null) return refuse('body_not_text', 'the body is not valid UTF-8', { details });
      // PostgreSQL text cannot hold U+0000, and no JSON or form body carries it raw.
      if (text.includes('\u0000')) return refuse('body_not_text', 'the body holds a NUL character', { details });
      body = text;
    } else {
      body = toBuffer(raw).toString('utf8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // A text body (form data) needs to be JSON only for a schema to read it.
      if (parts.body === 'json' || parts.schema !== undefined) {
        return refuse('invalid_json', 'the body is not valid JSON', { details });
      }
    }
    const handshake = verify?.scheme.handshake?.(parsed);
    if (handshake) return { accepted: true, handshake };
    let payload = parsed;
    if (parts.schema !== undefined) {
      const result = await validatePayload(parts.schema, parsed);
      if (!result.ok) {
        return refuse('validation_failed', 'the payload does not match the schema', { details, issues: result.issues });
      }
      payload = result.value;
    }

    const type = verify?.scheme.eventType(headers, parsed) ?? typeField(parsed);
    const { idempotency } = parts;
    // The id the signature covers comes first: an unsigned id header could make a replay look new.
    const senderId =
      verified?.id ??
      verify?.scheme.deliveryId(headers, parsed) ??
      (idempotency?.header === undefined ? undefined : readHeader(headers, idempotency.header)) ??
      null;
    details.deliveryId = senderId;
    details.type = type;

    const key = idempotency === undefined || senderId === null || senderId === '' ? undefined : senderId;
    if (key !== undefined) {
      const refused = await claim(key, details);
      if (refused !== null) return refused;
    }

    const webhook: IncomingWebhook = {
      deliveryId: senderId || null,
      type,
      body,
      payload,
      headers: headerRecord(headers),
      query: queryRecord(request.url),
      receivedAt: clock(),
    };
    try {
      return { accepted: true, ...(await parts.deliver(webhook)) };
    } catch (error) {
      if (key !== undefined) await releaseQuietly(key);
      const { code, message } = parts.deliverFailure;
      return refuse(code, message, { details: { ...details, err: error } });
    } finally {
      if (key !== undefined) leave(key);
    }
  }

  /** Null when this copy holds the claim; otherwise the outcome for a copy that must not be handled now. */
  async function claim(key: string, details: Record<string, unknown>): Promise<ReceiverOutcome | null> {
    const { store, ttlMs } = parts.idempotency as NonNullable<PipelineParts['idempotency']>;
    inProgress.set(key, (inProgress.get(key) ?? 0) + 1);
    let claimed: boolean;
    try {
      claimed = await store.claim(key, ttlMs);
    } catch (error) {
      leave(key);
      return refuse('idempotency_unavailable', 'the idempotency store failed; retry later', {
        details: { ...details, err: error },
      });
    }
    if (claimed) return null;
    const busy = (inProgress.get(key) ?? 0) > 1;
    leave(key);
    if (busy) {
      return refuse('delivery_in_progress', `delivery ${key} is being handled right now; retry later`, {
        details,
        headers: { 'retry-after': '1' },
      });
    }
    metrics.duplicates++;
    logger.info(details, 'duplicate webhook acknowledged without handling');
    return { accepted: true, id: key, duplicate: true };
  }

  async function releaseQuietly(key: string): Promise<void> {
    try {
      await parts.idempotency?.store.release(key);
    } catch (error) {
      // The key then lives until its TTL: the sender's retries are answered as duplicates meanwhile.
      logger.error({ deliveryId: key, err: error }, 'could not release the idempotency key of a failed webhook');
    }
  }

  return async function handle(request) {
    metrics.received++;
    try {
      return await steps(request);
    } catch (error) {
      return refuse('internal_error', 'the receiver failed unexpectedly', { details: { err: error } });
    }
  };
}

function typeField(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const type = (payload as Record<string, unknown>).type;
  return typeof type === 'string' ? type : null;
}

function decodeText(raw: Uint8Array): string | null {
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

/** The first value of each query parameter of a request target (`/in/x?a=1`) or URL; {} without one. */
function queryRecord(url: string | undefined): Record<string, string> {
  const search = url === undefined ? '' : url.slice(url.indexOf('?') + 1 || url.length);
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(search)) if (!(name in query)) query[name] = value;
  return query;
}
