/**
 * The API's JSON body parser: fastify's own (which refuses `__proto__` keys), behind a nesting limit. A body nested
 * thousands deep parses, but every later step that walks it (validation, JSON.stringify, the store) recurses and
 * would overflow the stack: it is refused up front with a 400 instead.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const MAX_JSON_DEPTH = 64;

/** How deep the arrays and objects of a JSON text nest, stopping as soon as it passes `limit`. */
function jsonDepthOver(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function useJsonBodyParser(api: FastifyInstance): void {
  const parse = api.getDefaultJsonParser('error', 'ignore');
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthOver(body as string, MAX_JSON_DEPTH)) {
      return done(new ApiError('validation_failed', `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`));
    }
    parse(request, body as string, done);
  });
}
