/** One thin adapter per runtime: each reads the request's bytes and writes the answer, nothing more. */
export { toExpressMiddleware } from './express.js';
export { type FastifyPluginOptions, toFastifyPlugin } from './fastify.js';
export { type FetchRequestInfo, toFetchHandler } from './fetch.js';
export { toNodeHandler } from './node.js';
