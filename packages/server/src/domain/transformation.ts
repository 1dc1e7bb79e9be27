/**
 * The rules of an endpoint's transformation, apart from the sandbox that runs it: what the handler is given, what it
 * may give back, and the limits it runs within. The README's "Transformations" section documents these.
 */
import { endpointHeadersProblem } from './endpoint-headers.js';

export const TRANSFORMATION_LIMITS = {
  /** The most characters of source an endpoint's transformation may hold. */
  sourceChars: 64 * 1024,
  /** The most memory one sandbox may allocate. */
  memoryBytes: 16 * 1024 * 1024,
  /** The most stack one sandbox may use: deep recursion stops here, well before the host's own stack. */
  stackBytes: 256 * 1024,
  /** The most CPU time one run (or the first evaluation of the source) may take. */
  cpuMs: 100,
  /** The most characters the transformed body may have. */
  bodyChars: 1024 * 1024,
} as const;

/** Methods a transformation may send with: those that carry a body. */
const METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** What the handler receives and returns: the request hookd is about to sign and send. */
export interface Webhook {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body parsed from JSON, or the body as text when it is not JSON (a request a source forwards may not be). */
  payload: unknown;
}

/** The request a transformation made: the body is what hookd signs and sends, byte for byte. */
export interface TransformedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type TransformOutcome =
  | { kind: 'send'; request: TransformedRequest }
  | { kind: 'cancel' }
  | { kind: 'error'; message: string };

/** The webhook a handler is given for this body: JSON is parsed, anything else stays text. */
export function webhookOf(request: TransformedRequest): Webhook {
  let payload: unknown = request.body;
  try {
    payload = JSON.parse(request.body);
  } catch {
    // Not JSON: the handler sees the text.
  }
  return { method: request.method, url: request.url, headers: request.headers, payload };
}

/**
 * Judges what the handler returned (as JSON text, `null` for nothing) against the request it was given: null or
 * `{cancel: true}` skips the delivery; otherwise the method, the URL (same origin: the SSRF rules were checked on
 * it), the headers (none of hookd's own) and the body must be sound.
 */
export function judgeTransformed(returned: string, before: TransformedRequest): TransformOutcome {
  const value: unknown = JSON.parse(returned);
  if (value === null) return { kind: 'cancel' };
  try {
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Malformed('handler must return the webhook object, or null (or {cancel: true}) to skip');
    }
    const out = value as Record<string, unknown>;
    if (out.cancel === true) return { kind: 'cancel' };
    const method = out.method === undefined ? before.method : out.method;
    if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) {
      throw new Malformed(`webhook.method must be one of ${[...METHODS].join(', ')}`);
    }
    if (out.payload === undefined) throw new Malformed('webhook.payload is missing');
    const body = typeof out.payload === 'string' ? out.payload : JSON.stringify(out.payload);
    if (body.length > TRANSFORMATION_LIMITS.bodyChars) {
      throw new Malformed(`the transformed body exceeds ${TRANSFORMATION_LIMITS.bodyChars} characters`);
    }
    const request = {
      method: method.toUpperCase(),
      url: checkUrl(out.url, before.url),
      headers: checkHeaders(out.headers),
      body,
    };
    return { kind: 'send', request };
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'error', message: error.message };
    throw error;
  }
}

/** What is wrong with a handler's result, said to the one who wrote it. */
class Malformed extends Error {}

function checkUrl(raw: unknown, before: string): string {
  if (raw === undefined) return before;
  const original = new URL(before);
  let url: URL;
  try {
    url = new URL(String(raw), original);
  } catch {
    throw new Malformed(`webhook.url ${JSON.stringify(raw)} is not a URL`);
  }
  // Only the path and the query may change: the origin is the one the SSRF rules approved.
  if (typeof raw !== 'string' || url.origin !== original.origin) {
    throw new Malformed(`webhook.url may change the path and query only, not the origin ${original.origin}`);
  }
  return url.href;
}

/** The content type and user agent are the transformation's to say; hookd's other headers (signatures first) are not. */
const SETTABLE = new Set(['content-type', 'user-agent']);

function checkHeaders(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Malformed('webhook.headers must be an object of header names to strings');
  }
  const settable: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new Malformed(`webhook.headers[${JSON.stringify(name)}] must be a string`);
    if (SETTABLE.has(name.toLowerCase())) settable[name.toLowerCase()] = value;
    else custom[name] = value;
  }
  const problem = endpointHeadersProblem(custom, Number.POSITIVE_INFINITY);
  if (problem !== null) throw new Malformed(`webhook.headers: ${problem}`);
  return { ...custom, ...settable };
}
