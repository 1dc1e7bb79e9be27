/** node:http adapter: `http.createServer(toNodeHandler(receiver))`, or as a route handler in any node:http router. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Receiver, ReceiverRequest } from '../types.js';
import { writeNodeAnswer } from './node-answer.js';
import { readNodeBody } from './node-body.js';

/** The request as the core reads it; the socket's address, never a header, is the remote address. */
export function nodeRequest(request: IncomingMessage, readBody: ReceiverRequest['readBody']): ReceiverRequest {
  const { method = 'GET', headers, url } = request;
  return { method, headers, remoteAddress: request.socket.remoteAddress, ...(url === undefined ? {} : { url }), readBody };
}

export function toNodeHandler(receiver: Pick<Receiver, 'handle'>): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    receiver
      .handle(nodeRequest(request, (maxBytes) => readNodeBody(request, maxBytes)))
      .then((answer) => writeNodeAnswer(request, response, answer))
      .catch(() => response.destroy());
  };
}
