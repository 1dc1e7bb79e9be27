/**
 * Serves the Fetch API app on Node.js, which has no built-in Request/Response server: a small node:http
 * bridge stands in for Bun.serve or Deno.serve. Run: node --import tsx --conditions=@hookd/source examples/fetch/server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { exampleSettings } from '../dev-settings.js';
import { createApp } from './app.js';

const { port, host, secret } = exampleSettings();
const app = createApp(secret);

async function bridge(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
  const request = new Request(`http://${incoming.headers.host ?? host}${incoming.url ?? '/'}`, {
    method: incoming.method ?? 'GET',
    headers,
    // The stream is handed on as it is, so the app's body limit applies while reading.
    ...(hasBody ? { body: Readable.toWeb(incoming), duplex: 'half' } : {}),
  } as RequestInit);
  const response = await app(request, { remoteAddress: incoming.socket.remoteAddress });
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

const server = createServer((incoming, outgoing) => {
  bridge(incoming, outgoing).catch(() => outgoing.destroy());
});
server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`listening on http://${host}:${actualPort}/webhooks`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
