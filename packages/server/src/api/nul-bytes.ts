/**
 * PostgreSQL text cannot hold a NUL byte: an id, a source name or a cursor decoded from `%00` made the query fail
 * with a 500, logged as an error. No path or query value of hookd's has a use for one, so the request is refused
 * once, before routing, for every route and every store.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

// `%00` is the only way a NUL reaches a decoded path or query value: Node refuses a raw one in the request line.
const ENCODED_NUL = /%00/i;

export function refuseNulBytes(api: FastifyInstance): void {
  api.addHook('onRequest', async (request) => {
    if (ENCODED_NUL.test(request.url)) {
      throw new ApiError('bad_request', 'the URL holds a NUL byte (%00), which no path or query value may contain');
    }
  });
}
