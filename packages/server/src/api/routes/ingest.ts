/**
 * `POST /in/{source}`: where providers send webhooks. No token: the provider's signature is the credential.
 * The body is read as raw bytes (whatever its content type, up to HOOKD_MAX_PAYLOAD), so the signature is
 * checked on exactly what was sent and forwarded byte for byte.
 */
import type { ValidationIssue } from '@hookd/sdk/receiver';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InboundGateway, IngestOutcome } from '../../inbound/index.js';
import type { ApiContext } from '../context.js';
import { replyWithError } from '../error-handler.js';
import { type ErrorDetail, errorBody } from '../errors.js';

type Params = { source: string };

const MAX_DETAILS = 20;

/** The receiver's outcome in the API's shape: `{"error": {"code", "message", "details"?}}`, details as JSON Pointers. */
function answer(reply: FastifyReply, outcome: IngestOutcome): FastifyReply {
  if (outcome.accepted && 'handshake' in outcome) return reply.code(200).send(outcome.handshake);
  if (outcome.accepted) return reply.code(200).send({ received: true, id: outcome.id, duplicate: outcome.duplicate });
  const issues = 'issues' in outcome ? outcome.issues : undefined;
  return reply
    .code(outcome.status)
    .headers(outcome.headers)
    .send(errorBody(outcome.code, outcome.message, issues?.slice(0, MAX_DETAILS).map(detail)));
}

function detail(issue: ValidationIssue): ErrorDetail {
  const pointer = issue.path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
  return { path: pointer || '/', message: issue.message };
}

export async function ingestRoutes(api: FastifyInstance, ctx: ApiContext, gateway: InboundGateway): Promise<void> {
  await api.register(async (inbound) => {
    // Every content type arrives as bytes: JSON, form data (Slack), or none at all.
    inbound.removeAllContentTypeParsers();
    inbound.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    inbound.setErrorHandler(async (error: FastifyError, request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      // Too large is found while reading, before the handler: it is a refusal of the source all the same.
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && request.params?.source) {
        const limit = ctx.config.maxPayloadBytes;
        return answer(
          reply,
          await gateway.refuseUnread(request.params.source, 'payload_too_large', `the body is over ${limit} bytes`),
        );
      }
      return replyWithError(error, request, reply);
    });

    inbound.post<{ Params: Params; Body: Buffer | undefined }>(
      '/in/:source',
      {
        bodyLimit: ctx.config.maxPayloadBytes,
        schema: {
          tags: ['sources'],
          summary: 'Ingest a webhook from a provider (no token: its signature is checked instead)',
          description:
            'Checks the IP allowlist, the rate limit, the signature and the schema, de-duplicates on the provider’s ' +
            'delivery id, keeps the request and answers 200 once it is committed. Refusals are JSON errors with the SDK ' +
            'receiver’s codes (README, receiver error table) or `source_not_found`, counted on the source.',
          security: [],
          params: {
            type: 'object',
            properties: { source: { type: 'string', maxLength: 64 } },
            required: ['source'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                received: { type: 'boolean' },
                id: { type: 'string', description: 'The message id the request is kept and forwarded as.' },
                duplicate: { type: 'boolean', description: 'The provider’s delivery id was seen before: nothing new kept.' },
                challenge: {
                  type: 'string',
                  description: 'Only in the answer to Slack’s url_verification: its challenge, sent back (nothing is kept).',
                },
              },
            },
          },
        },
      },
      async (request, reply) =>
        answer(
          reply,
          await gateway.ingest({
            source: request.params.source,
            body: request.body ?? Buffer.alloc(0),
            headers: request.headers,
            address: request.ip,
            url: request.url,
          }),
        ),
    );
  });
}
