import type { FastifyRequest } from 'fastify';

/**
 * An address hookd hands out (a source's ingest URL, a portal link): under HOOKD_PUBLIC_URL when hookd sits behind a
 * proxy, else under the scheme and host the request came to.
 */
export function publicUrl(request: FastifyRequest, publicBase: string | null, path: string): string {
  return `${publicBase ?? `${request.protocol}://${request.host}`}${path}`;
}
