/** Writes the core's answer on a node:http response. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverAnswer } from '../types.js';

/** Headers for the answer; a body left unread (refused before reading) closes the connection rather than draining it. */
export function nodeAnswerHeaders(request: IncomingMessage, answer: ReceiverAnswer): Record<string, string> {
  const headers: Record<string, string> = { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) };
  if (!request.complete) headers.connection = 'close';
  return headers;
}

export function writeNodeAnswer(request: IncomingMessage, response: ServerResponse, answer: ReceiverAnswer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, nodeAnswerHeaders(request, answer)).end(answer.body);
}
