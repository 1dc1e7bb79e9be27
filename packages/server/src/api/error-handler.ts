/** Turns anything thrown while serving a request into `{"error": {"code", "message", "details"?}}` with its documented status. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreFull, isStoreUnavailable } from '../store/index.js';
import { ApiError, ERRORS, type ErrorCode, errorBody } from './errors.js';

export function replyWithError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, message } = toApiError(error, { contentType: request.headers['content-type'] ?? null });
  const status = ERRORS[code][0];
  if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
  const details = error instanceof ApiError ? error.details : undefined;
  if (error instanceof ApiError && error.headers) reply.headers(error.headers);
  return reply.code(status).send(errorBody(code, message, details));
}

/**
 * A 415 that says what to send instead. `curl -d` without `-H` sends application/x-www-form-urlencoded, the most
 * common way to meet it.
 */
function unsupportedMediaTypeMessage(contentType: string | null): string {
  const given = contentType ? `Content-Type ${contentType.split(';')[0]?.trim()}` : 'a body without a Content-Type';
  const curl = contentType?.startsWith('application/x-www-form-urlencoded')
    ? " (what curl -d sends unless told otherwise: add -H 'Content-Type: application/json')"
    : '';
  return `${given} is not taken here: send the JSON body with Content-Type: application/json${curl}`;
}

/** Maps whatever was thrown to one of the documented codes; unknown failures become internal_error. */
export function toApiError(
  error: FastifyError,
  /** The request's Content-Type, for a 415 that names it; unset: the table's general message. */
  request?: { contentType: string | null },
): { code: ErrorCode; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error.validation) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'request';
    if (first?.keyword === 'additionalProperties') {
      const field = (first.params as { additionalProperty?: string }).additionalProperty;
      return { code: 'unknown_field', message: `${where} has an unknown field ${JSON.stringify(field)}` };
    }
    return { code: 'validation_failed', message: `${where}${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}` };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', message: error.message };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'body_too_large', message: error.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'unsupported_media_type',
        message: request ? unsupportedMediaTypeMessage(request.contentType) : ERRORS.unsupported_media_type[1],
      };
  }
  if (error.statusCode === 400 && error instanceof SyntaxError) return { code: 'invalid_json', message: error.message };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { code: 'bad_request', message: error.message };
  if (isStoreFull(error)) return { code: 'store_full', message: ERRORS.store_full[1] };
  if (isStoreUnavailable(error)) return { code: 'store_unavailable', message: ERRORS.store_unavailable[1] };
  return { code: 'internal_error', message: ERRORS.internal_error[1] };
}

/** Requests Node's HTTP parser refuses (bad framing, huge headers, too slow) get the documented error shape too. */
export function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'request_timeout'
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : 'bad_request';
  const [status, message] = ERRORS[code];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
