/** Trying an endpoint's transformation: what would be sent, without sending it. */
import type { FastifyInstance } from 'fastify';
import { type TransformationTrial, testTransformation } from '../../actions/index.js';
import { type ApiContext, appRecordParams, loadApp } from '../context.js';
import { commonErrors, NO_NUL, ref } from '../schemas.js';

const headers = { type: 'object', additionalProperties: { type: 'string' } } as const;

export function transformationRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string; ep: string }; Body: TransformationTrial }>(
    '/v1/apps/:app/endpoints/:ep/test-transformation',
    {
      schema: {
        tags: ['endpoints'],
        summary: 'Run a transformation on a sample payload or a past message and show what would be sent, without sending',
        description:
          'Runs in the same sandbox and limits as delivery. `outcome` is `send` (with the signed `request`), `cancel` (the ' +
          'delivery would be skipped) or `error` (the attempt would fail with `transformation_failed`). Secret headers are left out.',
        params: appRecordParams('ep'),
        body: {
          type: 'object',
          properties: {
            payload: {
              description: 'The delivered body to try: an object or array is sent as JSON, a string as it is.',
              type: ['object', 'array', 'string'],
            },
            messageId: {
              type: 'string',
              maxLength: 64,
              pattern: NO_NUL,
              description: 'A past message of the app to try instead.',
            },
            transformation: {
              type: ['string', 'null'],
              description: 'Source to try before saving it; absent: the endpoint’s own; null: none.',
            },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              outcome: { type: 'string', enum: ['send', 'cancel', 'error'] },
              request: {
                type: ['object', 'null'],
                description: 'What hookd would send, signed; null unless `outcome` is `send`.',
                properties: {
                  method: { type: 'string' },
                  url: { type: 'string' },
                  headers,
                  body: { type: 'string', description: 'The bytes signed and sent.' },
                },
                required: ['method', 'url', 'headers', 'body'],
              },
              error: {
                type: ['object', 'null'],
                description: 'What the attempt would record; null unless `outcome` is `error`.',
                properties: { code: { type: 'string' }, message: { type: 'string' } },
                required: ['code', 'message'],
              },
            },
            required: ['outcome', 'request', 'error'],
          },
          422: ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const appId = (await loadApp(ctx, request.params.app)).id;
      const outcome = await testTransformation(ctx, appId, request.params.ep, request.body);
      return {
        outcome: outcome.kind,
        request: outcome.kind === 'send' ? outcome.request : null,
        error: outcome.kind === 'error' ? { code: 'transformation_failed', message: outcome.message } : null,
      };
    },
  );
}
