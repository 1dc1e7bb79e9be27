/**
 * A webhook receiver on Express 5: Standard Webhooks signatures, de-duplication on webhook-id, typed routing.
 * Run: node --import tsx --conditions=@hookd/source examples/express/server.ts
 */

import { createReceiver, toExpressMiddleware } from '@hookd/sdk';
import express from 'express';
import { consoleLogger, exampleSettings } from '../dev-settings.js';

type Events = {
  'payment.completed': { type: 'payment.completed'; data: { amount: number; currency?: string } };
  'payment.refunded': { type: 'payment.refunded'; data: { amount: number; reason?: string } };
};

const { port, host, secret } = exampleSettings();

const receiver = createReceiver<Events>({
  verify: { scheme: 'standard', secrets: secret },
  rateLimit: { perSecond: 20, burst: 50 },
  logger: consoleLogger,
});

receiver
  .on('payment.completed', (event) => {
    console.log(`payment ${event.id} completed: ${event.payload.data.amount} ${event.payload.data.currency ?? ''}`);
  })
  .on('payment.refunded', (event) => {
    console.log(`payment ${event.id} refunded: ${event.payload.data.reason ?? 'no reason given'}`);
  })
  .onUnhandled((event) => {
    console.log(`no handler for ${event.type ?? 'an untyped event'} (${event.id})`);
  });

const app = express();
// The webhook route comes before express.json(), so the receiver reads the exact bytes that were signed.
app.post('/webhooks', toExpressMiddleware(receiver));
app.use(express.json());
app.get('/metrics.json', (_request, response) => {
  response.json(receiver.metrics);
});

const server = app.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`listening on http://${host}:${actualPort}/webhooks`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void receiver.close();
  });
}
