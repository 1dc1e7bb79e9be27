/** One delivery attempt: sign, POST, and read what the receiver said, within the timeouts. */
import { signHmacSha256Hex, signStandard } from '@hookd/sdk/verify';
import type { Dispatcher } from 'undici';
import {
  type AttemptError,
  type AttemptResult,
  type ClaimedDelivery,
  type EndpointCredentials,
  headersToForward,
  keptResponseHeaders,
  type Network,
  NO_CREDENTIALS,
  responseError,
  type TraceContext,
  type TransformedRequest,
  type TransformOutcome,
} from '../domain/index.js';
import { assertLiteralAllowed, hostOf } from './addresses.js';
import { ExchangeTimeout, exchange } from './exchange.js';
import { attemptTimedOut, classifySendError } from './failures.js';
import type { OAuthTokens } from './oauth.js';

export const RESPONSE_BODY_LIMIT = 4096;
const USER_AGENT = 'hookd/0.1';

export interface SendContext {
  /** Built with `guardedLookup`, so every name is checked on the way to the socket. */
  dispatcher: Dispatcher;
  /** Bounds the wait for the response headers, each pause in the body, and the attempt as a whole. */
  timeoutMs: number;
  /** Bounds opening the connection; the dispatcher enforces it, this names it in messages. */
  connectTimeoutMs: number;
  allowedNetworks: readonly Network[];
  /** How hookd authenticates to this endpoint, if it does. */
  credentials?: EndpointCredentials | null;
  /** Where OAuth tokens come from, for an endpoint with `oauth2` auth. */
  tokens?: OAuthTokens;
  /** The attempt's trace context, sent as `traceparent`/`tracestate` to an endpoint that asked for it. */
  trace?: TraceContext | null;
  /** Runs the endpoint's transformation, for an endpoint that has one. */
  transform: Transform;
}

/** What an attempt records in place of a secret value: the request as sent, minus what must not be kept. */
const HIDDEN = '[hidden]';

export interface SendReport {
  result: AttemptResult;
  requestHeaders: Record<string, string>;
  responseBody: string | null;
  /** What keptResponseHeaders keeps of the answer's headers; null when there was no answer. */
  responseHeaders: Record<string, string> | null;
  /** The body sent when it is not the message's payload (a transformation made it); null when the payload was sent. */
  requestBody: string | null;
  /** Why the attempt failed (a network error, a timeout by phase, a non-2xx answer), or null for a 2xx. */
  error: AttemptError | null;
  /** The transformation cancelled the delivery: nothing was sent, and the delivery is skipped. */
  cancelled?: true;
}

/** What preparing a request reads of a claimed delivery: a test of a transformation makes one up. */
export type PreparedDelivery = Pick<ClaimedDelivery, 'message' | 'endpoint'> & {
  delivery: Pick<ClaimedDelivery['delivery'], 'id'>;
};

/** The request an attempt makes before any transformation and before hookd signs it. */
function unsignedRequest(claimed: PreparedDelivery): TransformedRequest {
  const { message, endpoint } = claimed;
  // A request a source ingested goes on with the provider's allowlisted headers under the endpoint's (its own
  // content type and user agent kept), so the app sees what the provider sent, plus hookd's signature.
  const headers = message.headers
    ? {
        'user-agent': USER_AGENT,
        ...headersToForward(message.headers),
        ...endpoint.headers,
        'content-type': message.headers['content-type'] ?? 'application/json',
      }
    : { ...endpoint.headers, 'content-type': 'application/json', 'user-agent': USER_AGENT };
  return { method: 'POST', url: endpoint.url, headers, body: message.payload };
}

/** hookd's signature headers over `body`, the bytes sent. */
function signatureHeaders(claimed: PreparedDelivery, attemptNumber: number, nowMs: number, body: string): Record<string, string> {
  const { message, endpoint, delivery } = claimed;
  // During a rotation's overlap, the old secret signs beside the new one: receivers holding either verify.
  const secrets = endpoint.previousSecret === null ? [endpoint.secret] : [endpoint.secret, endpoint.previousSecret];
  if (endpoint.signatureScheme === 'hmac-sha256-hex') {
    return {
      // Only HMAC secrets: an ed25519 key left signing from a scheme switch has no place in this header.
      'x-webhook-signature': signHmacSha256Hex(
        body,
        secrets.filter((s) => !s.startsWith('whsk_')),
      ),
      'x-webhook-event': message.type,
      'x-webhook-delivery': delivery.id,
      'x-webhook-attempt': String(attemptNumber),
      'webhook-id': message.id,
    };
  }
  const signed = signStandard({ id: message.id, timestamp: Math.floor(nowMs / 1000), body, secrets });
  if (!message.headers) return signed;
  // A forwarded request also carries hookd's signature under the svix-* names: the svix library reads those
  // before webhook-*, so a provider's (or a forger's) svix-* headers must not reach the app beside hookd's.
  return {
    ...signed,
    'svix-id': signed['webhook-id'],
    'svix-timestamp': signed['webhook-timestamp'],
    'svix-signature': signed['webhook-signature'],
  };
}

/** Runs an endpoint's transformation; the worker keeps its sandboxes warm. */
export type Transform = (claimed: PreparedDelivery, request: TransformedRequest) => Promise<TransformOutcome>;

/**
 * The request an attempt sends, signed: the endpoint's transformation runs first (when it has one), then hookd signs
 * the body it made, so the bytes signed are the bytes sent. The endpoint's secret headers come after the
 * transformation, which never sees them; hookd's signature headers come last, so nothing can replace them.
 */
export async function prepareRequest(
  claimed: PreparedDelivery,
  attemptNumber: number,
  nowMs: number,
  secretHeaders: Record<string, string>,
  transform: Transform,
): Promise<TransformOutcome> {
  const unsigned = unsignedRequest(claimed);
  let outcome: TransformOutcome = { kind: 'send', request: unsigned };
  if (claimed.endpoint.transformation) outcome = await transform(claimed, unsigned);
  if (outcome.kind !== 'send') return outcome;
  const { request } = outcome;
  const headers = {
    ...request.headers,
    ...secretHeaders,
    ...signatureHeaders(claimed, attemptNumber, nowMs, request.body),
  };
  return { kind: 'send', request: { ...request, headers } };
}

export async function sendAttempt(
  claimed: ClaimedDelivery,
  attemptNumber: number,
  nowMs: number,
  ctx: SendContext,
): Promise<SendReport> {
  const credentials = ctx.credentials ?? NO_CREDENTIALS;
  const prepared = await prepareRequest(claimed, attemptNumber, nowMs, credentials.secretHeaders, ctx.transform);
  const { method, url: target, headers: signed, body } = prepared.kind === 'send' ? prepared.request : unsignedRequest(claimed);
  // After the endpoint's own headers and the transformation's: a custom `traceparent` cannot point the receiver at
  // another trace.
  const headers = ctx.trace ? { ...signed, ...ctx.trace } : signed;
  // Kept with the attempt and shown by the API: secret header values and credentials never are.
  const requestHeaders = { ...headers };
  for (const name of Object.keys(credentials.secretHeaders)) requestHeaders[name] = HIDDEN;
  const requestBody = body === claimed.message.payload ? null : body;
  const failure = (error: AttemptError): SendReport => ({
    result: { kind: 'error', code: error.code },
    requestHeaders,
    responseBody: null,
    responseHeaders: null,
    requestBody,
    error,
  });
  if (prepared.kind === 'error') return failure({ code: 'transformation_failed', message: prepared.message });
  if (prepared.kind === 'cancel')
    return {
      result: { kind: 'error', code: 'transformation_failed' },
      requestHeaders,
      responseBody: null,
      responseHeaders: null,
      requestBody: null,
      error: null,
      cancelled: true,
    };
  // One bound for the attempt as a whole, an OAuth token renewed and the request sent again included.
  const deadline = Date.now() + ctx.timeoutMs;
  try {
    const url = checkedUrl(target, ctx.allowedNetworks);
    const post = async (renewToken: boolean) => {
      const authorization = await authorizationFor(claimed, credentials, ctx, renewToken);
      if (authorization !== null) requestHeaders.authorization = `${authorization.split(' ')[0]} ${HIDDEN}`;
      return exchange(ctx.dispatcher, url, {
        method: method as Dispatcher.HttpMethod,
        headers: authorization === null ? headers : { ...headers, authorization },
        body,
        timeoutMs: Math.max(1, deadline - Date.now()),
        bodyLimit: RESPONSE_BODY_LIMIT,
      });
    };
    let answer = await post(false);
    // An OAuth token the endpoint no longer takes (revoked, rotated early) is fetched anew, once per attempt.
    if (answer.status === 401 && credentials.auth?.type === 'oauth2') answer = await post(true);
    const retryAfter = answer.headers['retry-after'];
    return {
      result: {
        kind: 'response',
        status: answer.status,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      },
      requestHeaders,
      responseBody: answer.body,
      responseHeaders: keptResponseHeaders(answer.headers),
      requestBody,
      error: responseError(answer.status),
    };
  } catch (error) {
    if (error instanceof ExchangeTimeout) return failure(attemptTimedOut(error.phase, ctx));
    return failure(classifySendError(error, ctx));
  }
}

/** Targets parsed and found allowed, per list of allowed networks: an endpoint's URL is checked once, not per attempt. */
const checkedTargets = new WeakMap<readonly Network[], Map<string, URL>>();
const CHECKED_TARGETS_KEPT = 10_000;

/** `target` parsed, if its host is an address literal in `allowed` or a name (the socket's lookup checks names). */
function checkedUrl(target: string, allowed: readonly Network[]): URL {
  let checked = checkedTargets.get(allowed);
  if (checked === undefined) {
    checked = new Map();
    checkedTargets.set(allowed, checked);
  }
  const known = checked.get(target);
  if (known !== undefined) return known;
  const url = new URL(target);
  assertLiteralAllowed(hostOf(url), allowed);
  if (checked.size >= CHECKED_TARGETS_KEPT) checked.clear();
  checked.set(target, url);
  return url;
}

/** The Authorization header the endpoint's auth asks for, or null: Basic, or an OAuth token (TokenError if none). */
async function authorizationFor(
  claimed: ClaimedDelivery,
  credentials: EndpointCredentials,
  ctx: SendContext,
  renew: boolean,
): Promise<string | null> {
  const { auth } = credentials;
  if (auth === null) return null;
  if (auth.type === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (!ctx.tokens) throw new Error('an OAuth endpoint needs the worker’s token cache');
  return `Bearer ${await ctx.tokens.token(claimed.endpoint.id, auth, ctx.dispatcher, renew)}`;
}
