/**
 * createReceiverCore: the same pipeline as createReceiver, for a host that keeps webhooks its own way (a database,
 * de-duplicated there) and writes the outcome in its own answer shape. No handlers, no queue, no idempotency store.
 */
import { ReceiverConfigError } from './errors.js';
import { sharedParts } from './parts.js';
import { createPipeline } from './pipeline.js';
import type { ReceiverCore, ReceiverCoreOptions } from './types.js';

export function createReceiverCore(options: ReceiverCoreOptions): ReceiverCore {
  const body = options.body ?? 'json';
  if (body !== 'json' && body !== 'text') {
    throw new ReceiverConfigError('option_invalid', `body must be "json" or "text", got ${body}`);
  }
  const owned: { close?(): Promise<void> }[] = [];
  const shared = sharedParts(options, owned);
  const handle = createPipeline({
    ...shared,
    idempotency: undefined,
    body,
    deliver: (webhook) => options.handOff(webhook),
    deliverFailure: { code: 'enqueue_failed', message: 'the webhook could not be kept; retry later' },
    onRefusal: options.onRefusal?.bind(options),
  });
  return {
    handle,
    metrics: shared.metrics,
    async close() {
      for (const part of owned) await part.close?.();
    },
  };
}
