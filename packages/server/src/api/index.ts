/** The HTTP API: routes, token auth, one error handler, and the OpenAPI document. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { bearerCheck } from './auth.js';
import type { ApiContext } from './context.js';
import { ApiError, ERRORS, type ErrorCode, errorBody } from './errors.js';
import { appRoutes } from './routes/apps.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { validatorCompiler } from './validation.js';

export { generateAdminToken, hashToken } from './auth.js';
export type { ApiContext } from './context.js';
export { ERRORS, type ErrorCode } from './errors.js';

export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const api = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Per-request lines cost throughput; deliveries and errors are logged with their ids instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimitBytes,
    // Slow or stalled clients are cut off instead of holding sockets open.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { maxParamLength: 256 },
    clientErrorHandler: answerMalformedRequest,
    // A URL the router cannot decode, or a too-long id, is answered in the documented error shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { code, message } = toApiError(error);
      reply.code(ERRORS[code][0]).send(errorBody(code, message));
    },
  });
  api.setValidatorCompiler(validatorCompiler());
  // Fastify parses text/plain by default; the API takes JSON only, so anything else is a 415.
  api.removeContentTypeParser('text/plain');

  for (const schema of SHARED_SCHEMAS) api.addSchema(schema);
  await api.register(swagger, {
    openapi: {
      info: {
        title: 'hookd',
        version: '0.1.0',
        description: 'Publish events; hookd delivers them, signed, to the endpoints subscribed to them.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  await api.register(swaggerUi, { routePrefix: '/docs' });
  api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

  api.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, message } = toApiError(error);
    const status = ERRORS[code][0];
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.code(status).send(errorBody(code, message));
  });
  const checkAdmin = bearerCheck(ctx.adminTokenHash);
  api.setNotFoundHandler(async (request, reply) => {
    // Without a token, nothing under /v1 is revealed, not even which routes exist.
    if (request.url.startsWith('/v1')) checkAdmin(request.headers.authorization);
    return reply.code(404).send(errorBody('route_not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });

  healthRoutes(api, ctx);
  // Every /v1 route is registered in this scope, so the token check is bound to the routes, not to URL spellings.
  await api.register(async (v1) => {
    v1.addHook('onRequest', async (request) => checkAdmin(request.headers.authorization));
    appRoutes(v1, ctx);
    endpointRoutes(v1, ctx);
    eventRoutes(v1, ctx);
    deliveryRoutes(v1, ctx);
  });
  return api;
}

/** Maps whatever was thrown to one of the documented codes; unknown failures become internal_error. */
function toApiError(error: FastifyError): { code: ErrorCode; message: string } {
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
      return { code: 'unsupported_media_type', message: error.message };
  }
  if (error.statusCode === 400 && error instanceof SyntaxError) return { code: 'invalid_json', message: error.message };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { code: 'bad_request', message: error.message };
  if (isStoreUnavailable(error)) return { code: 'store_unavailable', message: ERRORS.store_unavailable[1] };
  return { code: 'internal_error', message: ERRORS.internal_error[1] };
}

function isStoreUnavailable(error: { code?: string }): boolean {
  return ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].some((c) =>
    error.code?.startsWith(c),
  );
}

/** Requests Node's HTTP parser refuses (bad framing, huge headers, too slow) get the documented error shape too. */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
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
