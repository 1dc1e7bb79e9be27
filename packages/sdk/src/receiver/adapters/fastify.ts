/**
 * Fastify plugin: `app.register(toFastifyPlugin(receiver), { prefix: '/webhooks' })`. In its own encapsulated
 * scope it swaps the body parsers for one that leaves the stream unread, so the core reads the exact bytes;
 * the app's JSON parsing elsewhere is untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { Receiver } from '../types.js';
import { nodeRequest } from './node.js';
import { nodeAnswerHeaders } from './node-answer.js';
import { readNodeBody } from './node-body.js';

/** The few Fastify members the plugin uses, typed structurally so the SDK does not depend on fastify. */
export interface FastifyScope {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  all(path: string, handler: (request: { raw: IncomingMessage }, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload: string): unknown;
}

export interface FastifyPluginOptions {
  /** The route inside the plugin's prefix; default '/'. */
  path?: string;
}

export function toFastifyPlugin(
  receiver: Pick<Receiver, 'handle'>,
  options: FastifyPluginOptions = {},
): (fastify: FastifyScope) => Promise<void> {
  return async function hookdReceiver(fastify) {
    fastify.removeAllContentTypeParsers();
    // Not consuming the stream here is what keeps the raw bytes for verification.
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
    fastify.all(options.path ?? '/', async (request, reply) => {
      const raw = request.raw;
      const answer = await receiver.handle(nodeRequest(raw, (maxBytes) => readNodeBody(raw, maxBytes)));
      return reply.code(answer.status).headers(nodeAnswerHeaders(raw, answer)).send(answer.body);
    });
  };
}
