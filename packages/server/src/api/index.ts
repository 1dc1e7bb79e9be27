/** The HTTP API: routes, token auth, one error handler, and the OpenAPI document. */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { cachedAppId } from '../actions/index.js';
import { InboundGateway } from '../inbound/index.js';
import { VERSION } from '../version.js';
import { authenticator, checkScope } from './auth.js';
import type { ApiContext } from './context.js';
import { answerMalformedRequest, replyWithError } from './error-handler.js';
import { errorBody } from './errors.js';
import { useJsonBodyParser } from './json-body.js';
import { LAZY_SERIALIZERS } from './lazy-serializers.js';
import { refuseNulBytes } from './nul-bytes.js';
import { appRoutes } from './routes/apps.js';
import { attemptRoutes } from './routes/attempts.js';
import { auditLogRoutes } from './routes/audit-log.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventRoutes } from './routes/events.js';
import { type HealthContext, type HealthOptions, healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { portalRoutes } from './routes/portal.js';
import { recoveryRoutes } from './routes/recoveries.js';
import { rootRoute } from './routes/root.js';
import { sourceRoutes } from './routes/sources.js';
import { tokenRoutes } from './routes/tokens.js';
import { transformationRoutes } from './routes/transformations.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { guardStream } from './sse.js';
import { validatorCompiler } from './validation.js';

export { generateAdminToken, hashToken } from './auth.js';
export { AuthLimiter } from './auth-limiter.js';
export type { ApiContext } from './context.js';
export { toApiError } from './error-handler.js';
export { ApiError, ERRORS, type ErrorCode } from './errors.js';
export { publicUrl } from './public-url.js';
export { attemptPoll } from './routes/attempts.js';
export { presentAuditEntry } from './routes/audit-log.js';
export { guardStream, type SseEvent, streamEvents } from './sse.js';

/** What a worker-only process serves on its health port: /healthz, /readyz and /metrics, nothing else. */
export function buildHealthApi(ctx: HealthContext & Pick<ApiContext, 'logger'>, options: HealthOptions): FastifyInstance {
  const api = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  healthRoutes(api, ctx, options);
  // Any other path, and anything thrown, answers in the API's documented error shape, not fastify's default.
  api.setErrorHandler(replyWithError);
  api.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'route_not_found',
          `a worker's health port serves only /healthz, /readyz and /metrics, not ${request.method} ${request.url.split('?')[0]}`,
        ),
      ),
  );
  return api;
}

/** A caller's (or proxy's) own `x-request-id` when it is a plain token; a fresh UUID otherwise. */
function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const api = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Per-request lines cost throughput; deliveries and errors are logged with their ids instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimitBytes,
    // Slow or stalled clients are cut off instead of holding sockets open.
    requestTimeout: ctx.config.requestTimeoutMs,
    connectionTimeout: 2 * ctx.config.requestTimeoutMs,
    // Node checks those timeouts only every connectionsCheckingInterval (30 s by default): check each second,
    // so a slowloris client is cut off on time. Headers count against the same budget as the whole request.
    http: { connectionsCheckingInterval: 1_000, headersTimeout: ctx.config.requestTimeoutMs },
    routerOptions: { maxParamLength: 256 },
    // request.ip (source allowlists) and request.protocol (the session cookie's Secure flag) come from
    // X-Forwarded-For / -Proto only when the direct peer is a listed proxy: anyone else could forge them.
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    clientErrorHandler: answerMalformedRequest,
    // A URL the router cannot decode, or a too-long id, is answered in the documented error shape.
    frameworkErrors: replyWithError,
    schemaController: LAZY_SERIALIZERS,
    genReqId: requestIdOf,
  });
  // The id the audit log records a change under, given back so a caller can find its entries.
  api.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  api.setValidatorCompiler(validatorCompiler());
  refuseNulBytes(api);
  // Fastify parses text/plain by default; the API takes JSON only, so anything else is a 415.
  api.removeContentTypeParser('text/plain');
  useJsonBodyParser(api);

  for (const schema of SHARED_SCHEMAS) api.addSchema(schema);
  await api.register(swagger, {
    openapi: {
      info: {
        title: 'hookd',
        version: VERSION,
        description: 'Publish events; hookd delivers them, signed, to the endpoints subscribed to them.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  await api.register(swaggerUi, { routePrefix: '/docs' });
  api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

  api.setErrorHandler(replyWithError);
  const auth = authenticator(ctx.adminTokenHash, ctx.store, ctx.authLimiter);
  api.setNotFoundHandler(async (request, reply) => {
    // Without a token, nothing under /v1 is revealed, not even which routes exist.
    if (request.url.startsWith('/v1')) await auth.authenticate(request.headers.authorization, request.ip);
    return reply.code(404).send(errorBody('route_not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });

  healthRoutes(api, ctx, { metricsToken: ctx.config.metricsToken });
  rootRoute(api);
  // One gateway for ingest and the source routes, so a source changed through the API applies at once.
  const gateway = new InboundGateway({
    store: ctx.store,
    clock: ctx.clock,
    dedupWindowMs: ctx.config.dedupWindowMs,
    refusalFlushMs: ctx.config.refusalFlushMs,
    metrics: ctx.metrics,
    onDeliveriesDue: ctx.onDeliveriesDue,
    logger: ctx.logger,
    ...(ctx.tracing ? { tracing: ctx.tracing } : {}),
  });
  // Refusals still counted in memory are written before the store closes.
  api.addHook('onClose', () => gateway.close());
  await ingestRoutes(api, ctx, gateway);
  // Every /v1 route is registered in this scope, so the token check is bound to the routes, not to URL spellings.
  await api.register(async (v1) => {
    v1.addHook('onRequest', async (request) => {
      const { authorization } = request.headers;
      const scope = await auth.authenticate(authorization, request.ip);
      await checkScope(scope, request, (app) => cachedAppId(ctx, app));
      guardStream(request, { stillAllowed: () => auth.stillValid(authorization, scope), intervalMs: ctx.accessRecheckMs });
    });
    appRoutes(v1, ctx);
    endpointRoutes(v1, ctx);
    transformationRoutes(v1, ctx);
    eventRoutes(v1, ctx);
    eventTypeRoutes(v1, ctx);
    deliveryRoutes(v1, ctx);
    attemptRoutes(v1, ctx);
    recoveryRoutes(v1, ctx);
    sourceRoutes(v1, ctx, gateway);
    portalRoutes(v1, ctx);
    tokenRoutes(v1, ctx);
    auditLogRoutes(v1, ctx);
  });
  return api;
}
