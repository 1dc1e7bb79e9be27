/**
 * The receiver as a Fetch API handler: the same function runs on Bun, Deno, Cloudflare Workers,
 * in a Next.js route handler or a Hono route. Only the remote address comes from the runtime.
 */
import { createReceiver, type FetchRequestInfo, toFetchHandler } from '@hookd/sdk/receiver';
import { consoleLogger } from '../dev-settings.js';

type Events = {
  'payment.completed': { type: 'payment.completed'; data: { amount: number } };
};

export function createApp(secret: string): (request: Request, info?: FetchRequestInfo) => Promise<Response> {
  const receiver = createReceiver<Events>({ verify: { scheme: 'standard', secrets: secret }, logger: consoleLogger });
  receiver
    .on('payment.completed', (event) => {
      console.log(`payment ${event.id} completed: ${event.payload.data.amount}`);
    })
    .onUnhandled((event) => {
      console.log(`no handler for ${event.type ?? 'an untyped event'} (${event.id})`);
    });
  const webhooks = toFetchHandler(receiver);

  return async (request, info) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/webhooks') return webhooks(request, info);
    if (pathname === '/metrics.json') return Response.json(receiver.metrics);
    return new Response('not found', { status: 404 });
  };
}
