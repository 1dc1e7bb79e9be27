/**
 * Express adapter: `app.post('/webhooks', toExpressMiddleware(receiver))`. It needs the raw bytes, so either
 * mount it before any body parser, or keep them: express.raw() (for every content type) on the route, or
 * `express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })` app-wide.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError, RawBodyUnavailableError } from '../errors.js';
import type { Receiver } from '../types.js';
import { nodeRequest } from './node.js';
import { writeNodeAnswer } from './node-answer.js';
import { readNodeBody } from './node-body.js';

/** What body parsers leave on the request: `rawBody` from a `verify` hook, `body` from express.raw(), `_body` once parsed. */
export type ExpressRequestLike = IncomingMessage & { rawBody?: unknown; body?: unknown; _body?: unknown };

export const RAW_BODY_HELP =
  'the request body was already parsed and no raw copy was kept, so the signature cannot be checked. ' +
  'Mount the webhook route before express.json(), or use express.raw({ type: "*/*" }) on it, or keep the bytes app-wide with ' +
  'express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })';

export function toExpressMiddleware(
  receiver: Pick<Receiver, 'handle'>,
): (request: ExpressRequestLike, response: ServerResponse, next: (error?: unknown) => void) => void {
  return (request, response, next) => {
    receiver
      .handle(nodeRequest(request, (maxBytes) => expressBody(request, maxBytes)))
      .then((answer) => writeNodeAnswer(request, response, answer))
      .catch(next);
  };
}

async function expressBody(request: ExpressRequestLike, maxBytes: number): Promise<Uint8Array> {
  const kept = rawBytes(request.rawBody) ?? (request.body instanceof Uint8Array ? request.body : undefined);
  if (kept !== undefined) {
    if (kept.byteLength > maxBytes) throw new PayloadTooLargeError(maxBytes);
    return kept;
  }
  // Verifying JSON.stringify(req.body) would check bytes the sender never signed: refuse instead.
  if (request.readableEnded || request._body === true) throw new RawBodyUnavailableError(RAW_BODY_HELP);
  return readNodeBody(request, maxBytes);
}

/** A `rawBody` the app kept: the bytes, or their UTF-8 text (never a parsed object). */
function rawBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : undefined;
}
