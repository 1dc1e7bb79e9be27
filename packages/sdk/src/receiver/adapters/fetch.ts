/**
 * Fetch API adapter, for runtimes and frameworks built on Request/Response (Hono, Next.js route handlers,
 * Bun, Deno, Cloudflare Workers). The remote address is not part of a Request: pass it when the IP steps are used.
 */
import { PayloadTooLargeError } from '../errors.js';
import type { Receiver } from '../types.js';

export interface FetchRequestInfo {
  /** The peer's address: Bun `server.requestIP(req)?.address`, Deno `info.remoteAddr.hostname`, Hono `getConnInfo(c).remote.address`. */
  remoteAddress?: string;
}

export function toFetchHandler(
  receiver: Pick<Receiver, 'handle'>,
): (request: Request, info?: FetchRequestInfo) => Promise<Response> {
  return async (request, info) => {
    const answer = await receiver.handle({
      method: request.method,
      headers: request.headers,
      remoteAddress: info?.remoteAddress,
      url: request.url,
      readBody: (maxBytes) => readFetchBody(request, maxBytes),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

async function readFetchBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
