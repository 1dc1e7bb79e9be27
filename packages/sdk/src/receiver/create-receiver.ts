/**
 * createReceiver: turns the options into the pipeline's parts (checking them once, at start-up), and
 * gives the app its handle on them: routing, the queue's lifecycle, dead letters and metrics.
 */
import { randomUUID } from 'node:crypto';
import { type IdempotencyStore, memoryIdempotencyStore } from '../idempotency/index.js';
import type { ReceivedWebhook, WebhookQueue } from '../queue/index.js';
import { answerFor } from './answers.js';
import { createDispatcher } from './dispatch.js';
import { ReceiverConfigError } from './errors.js';
import { sharedParts } from './parts.js';
import { createPipeline, type PipelineParts } from './pipeline.js';
import { resolveQueue } from './queue-option.js';
import { createRouter } from './router.js';
import type { EventMap, IncomingWebhook, Receiver, ReceiverOptions, WebhookHandler } from './types.js';

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export function createReceiver<TEvents extends EventMap = EventMap>(options: ReceiverOptions = {}): Receiver<TEvents> {
  const owned: { close?(): Promise<void> }[] = [];
  const shared = sharedParts(options, owned);
  const { logger, clock, metrics, maxBodyBytes } = shared;
  const router = createRouter();
  const dispatcher = createDispatcher({ router, schema: options.schema, logger, metrics });

  const mode = options.mode ?? (options.queue === undefined ? 'inline' : 'queue');
  if (mode !== 'inline' && mode !== 'queue')
    throw new ReceiverConfigError('mode_invalid', `mode must be "inline" or "queue", got ${mode}`);
  if (mode === 'queue' && options.queue === undefined) {
    throw new ReceiverConfigError(
      'queue_not_configured',
      'mode "queue" needs a queue: pass `queue` (a WebhookQueue or { path })',
    );
  }
  if (mode === 'inline' && options.queue !== undefined) {
    throw new ReceiverConfigError(
      'mode_invalid',
      'mode "inline" runs handlers before answering; leave out `queue` or use mode "queue"',
    );
  }
  const queue = options.queue === undefined ? undefined : resolveQueue(options.queue);

  const idempotency = idempotencyParts(options, clock, owned);
  let started = false;
  let warnedNotStarted = false;

  async function deliver(incoming: IncomingWebhook): Promise<{ id: string; duplicate: boolean }> {
    const { deliveryId, payload, ...rest } = incoming;
    const webhook: ReceivedWebhook = { id: deliveryId ?? `rcv_${randomUUID()}`, ...rest };
    if (queue === undefined) {
      await dispatcher.run(webhook, payload, 1);
    } else {
      if (!started && !warnedNotStarted) {
        warnedNotStarted = true;
        logger.warn({}, 'webhooks are being queued but receiver.start() was not called: nothing handles them yet');
      }
      await queue.queue.enqueue(webhook);
    }
    return { id: webhook.id, duplicate: false };
  }

  const pipeline = createPipeline({
    ...shared,
    idempotency,
    body: 'json',
    deliver,
    deliverFailure:
      queue === undefined
        ? { code: 'handler_failed', message: 'a handler failed; retry later' }
        : { code: 'enqueue_failed', message: 'the queue failed; retry later' },
    onRefusal: undefined,
  });

  function requireQueue(): WebhookQueue {
    if (queue === undefined) throw new ReceiverConfigError('queue_not_configured', 'this receiver has no queue');
    return queue.queue;
  }

  const receiver: Receiver<TEvents> = {
    mode,
    maxBodyBytes,
    metrics,
    handle: async (request) => answerFor(await pipeline(request)),
    on(pattern, handler) {
      router.add(pattern, handler as WebhookHandler<unknown>);
      return receiver;
    },
    onUnhandled(handler) {
      router.addUnhandled(handler);
      return receiver;
    },
    async start() {
      if (queue === undefined || started) return;
      queue.queue.start(dispatcher.fromQueue);
      started = true;
    },
    async close() {
      if (queue !== undefined) {
        if (queue.owned) await queue.queue.close();
        else if (started) await queue.queue.stop();
      }
      started = false;
      for (const part of owned) await part.close?.();
    },
    deadLetters: async (listOptions) => requireQueue().listDeadLetters(listOptions),
    replay: async (jobIds) => requireQueue().replayDeadLetters(jobIds),
  };
  return receiver;
}

function idempotencyParts(
  options: ReceiverOptions,
  clock: () => number,
  owned: { close?(): Promise<void> }[],
): PipelineParts['idempotency'] {
  if (options.idempotency === false) return undefined;
  const settings = options.idempotency ?? {};
  const ttlMs = settings.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new ReceiverConfigError('option_invalid', `idempotency.ttlMs must be a positive number, got ${ttlMs}`);
  }
  let store: IdempotencyStore | undefined = settings.store;
  if (store === undefined) {
    store = memoryIdempotencyStore({ clock, ...(settings.maxKeys === undefined ? {} : { maxKeys: settings.maxKeys }) });
    owned.push(store);
  }
  return { store, ttlMs, header: settings.header?.toLowerCase() };
}
