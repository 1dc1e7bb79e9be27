/**
 * The receiver's steps for one request, in order: method, IP allowlist, rate limit, body, signature,
 * JSON, schema, idempotency, then hand-off (handlers inline, or the queue). Each refusal is logged,
 * counted and answered with its stable code; the first one ends the request.
 */
import { randomUUID } from 'node:crypto';
import { readHeader, toBuffer } from '../bytes.js';
import type { IdempotencyStore } from '../idempotency/index.js';
import type { ReceivedWebhook } from '../queue/index.js';
import type { Scheme, Verified } from '../schemes/index.js';
import type { AddressSet, ClientAddressResolver } from './addresses.js';
import { accepted, errorAnswer, handshakeAnswer } from './answers.js';
import { RECEIVER_ERRORS, type ReceiverErrorCode } from './errors.js';
import { headerRecord } from './headers.js';
import type { RateLimitStore } from './rate-limit.js';
import type { ReceiverAnswer, ReceiverLogger, ReceiverMetrics, ReceiverRequest } from './types.js';
import { type PayloadSchema, validatePayload } from './validation.js';

export interface PipelineParts {
  resolveClient: ClientAddressResolver;
  allowlist: AddressSet | undefined;
  rateLimit: RateLimitStore | undefined;
  verify: { scheme: Scheme; secrets: string | readonly string[]; toleranceSeconds: number | undefined } | undefined;
  schema: PayloadSchema | undefined;
  idempotency: { store: IdempotencyStore; ttlMs: number; header: string | undefined } | undefined;
  maxBodyBytes: number;
  logger: ReceiverLogger;
  clock: () => number;
  metrics: ReceiverMetrics;
  /** Runs the handlers (inline) or enqueues (queue); a rejection means the webhook was not taken. */
  deliver(webhook: ReceivedWebhook, payload: unknown): Promise<void>;
  /** What a rejected `deliver` answers. */
  deliverFailure: 'handler_failed' | 'enqueue_failed';
}

interface Refusal {
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  fields?: Record<string, unknown>;
}

/** Codes are matched by value, not class, so errors from another copy of the SDK are still recognised. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createPipeline(parts: PipelineParts): (request: ReceiverRequest) => Promise<ReceiverAnswer> {
  const { logger, metrics, clock } = parts;
  // Copies of one delivery in progress in this process, counted from before their claim, so a copy that
  // loses the claim while the winner is still working gets 409 (retry later) rather than a premature 200.
  const inProgress = new Map<string, number>();

  function refuse(code: ReceiverErrorCode, message: string, refusal: Refusal = {}): ReceiverAnswer {
    const entry = RECEIVER_ERRORS[code];
    if (entry.kind !== null) metrics.refused[entry.kind]++;
    const log = entry.status >= 500 ? logger.error : logger.warn;
    log.call(logger, { code, status: entry.status, ...refusal.details }, `webhook refused: ${message}`);
    return errorAnswer(code, message, refusal);
  }

  function leave(id: string): void {
    const count = (inProgress.get(id) ?? 1) - 1;
    if (count === 0) inProgress.delete(id);
    else inProgress.set(id, count);
  }

  async function steps(request: ReceiverRequest): Promise<ReceiverAnswer> {
    const { headers } = request;
    if (request.method.toUpperCase() !== 'POST') {
      return refuse('method_not_allowed', `${request.method} is not accepted; send a POST`, { headers: { allow: 'POST' } });
    }
    const ip = parts.resolveClient(request.remoteAddress, readHeader(headers, 'x-forwarded-for'));
    const details: Record<string, unknown> = { ip };
    if (parts.allowlist !== undefined && !parts.allowlist.has(ip)) {
      return refuse('ip_not_allowed', `${ip ?? 'an unknown address'} may not send webhooks here`, { details });
    }
    if (parts.rateLimit !== undefined) {
      const decision = await parts.rateLimit.take(ip ?? 'unknown', clock());
      if (!decision.allowed) {
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        return refuse('rate_limited', `too many webhooks from ${ip}; retry in ${seconds} s`, {
          details,
          headers: { 'retry-after': String(seconds) },
        });
      }
    }

    let raw: Uint8Array;
    try {
      raw = await request.readBody(parts.maxBodyBytes);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'payload_too_large' || code === 'raw_body_unavailable') {
        return refuse(code, (error as Error).message, { details });
      }
      return refuse('body_unreadable', 'the request body could not be read', { details: { ...details, err: error } });
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
          return refuse(code as ReceiverErrorCode, (error as Error).message, { details });
        }
        throw error;
      }
    }

    const body = toBuffer(raw).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refuse('invalid_json', 'the body is not valid JSON', { details });
    }
    const handshake = verify?.scheme.handshake?.(parsed);
    if (handshake) return handshakeAnswer(handshake);
    let payload = parsed;
    if (parts.schema !== undefined) {
      const result = await validatePayload(parts.schema, parsed);
      if (!result.ok) {
        return refuse('validation_failed', 'the payload does not match the schema', {
          details,
          fields: { issues: result.issues },
        });
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

    const webhook: ReceivedWebhook = {
      id: senderId || `rcv_${randomUUID()}`,
      type,
      body,
      headers: headerRecord(headers),
      receivedAt: clock(),
    };
    try {
      await parts.deliver(webhook, payload);
    } catch (error) {
      if (key !== undefined) await releaseQuietly(key);
      const message =
        parts.deliverFailure === 'handler_failed' ? 'a handler failed; retry later' : 'the queue failed; retry later';
      return refuse(parts.deliverFailure, message, { details: { ...details, err: error } });
    } finally {
      if (key !== undefined) leave(key);
    }
    return accepted();
  }

  /** Null when this copy holds the claim; otherwise the answer for a copy that must not be handled now. */
  async function claim(key: string, details: Record<string, unknown>): Promise<ReceiverAnswer | null> {
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
    return accepted(true);
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
