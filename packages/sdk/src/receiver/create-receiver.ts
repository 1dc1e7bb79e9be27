/**
 * createReceiver: turns the options into the pipeline's parts (checking them once, at start-up), and
 * gives the app its handle on them: routing, the queue's lifecycle, dead letters and metrics.
 */
import { type IdempotencyStore, memoryIdempotencyStore } from '../idempotency/index.js';
import type { WebhookQueue } from '../queue/index.js';
import { SCHEMES, type Scheme } from '../schemes/index.js';
import { addressSet, clientAddressResolver } from './addresses.js';
import { createDispatcher } from './dispatch.js';
import { ReceiverConfigError } from './errors.js';
import { createMetrics } from './metrics.js';
import { createPipeline, type PipelineParts } from './pipeline.js';
import { resolveQueue } from './queue-option.js';
import { memoryRateLimitStore, type RateLimitStore } from './rate-limit.js';
import { createRouter } from './router.js';
import type { EventMap, Receiver, ReceiverLogger, ReceiverOptions, VerifyOptions, WebhookHandler } from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const silentLogger: ReceiverLogger = { info() {}, warn() {}, error() {} };

export function createReceiver<TEvents extends EventMap = EventMap>(options: ReceiverOptions = {}): Receiver<TEvents> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? Date.now;
  const metrics = createMetrics();
  const router = createRouter();
  const dispatcher = createDispatcher({ router, schema: options.schema, logger, metrics });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new ReceiverConfigError('option_invalid', `maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }

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

  const owned: { close?(): Promise<void> }[] = [];
  const rateLimit = rateLimitStore(options, owned);
  const idempotency = idempotencyParts(options, clock, owned);
  let started = false;
  let warnedNotStarted = false;

  const deliver: PipelineParts['deliver'] =
    queue === undefined
      ? (webhook, payload) => dispatcher.run(webhook, payload, 1)
      : async (webhook) => {
          if (!started && !warnedNotStarted) {
            warnedNotStarted = true;
            logger.warn({}, 'webhooks are being queued but receiver.start() was not called: nothing handles them yet');
          }
          await queue.queue.enqueue(webhook);
        };

  const handle = createPipeline({
    resolveClient: clientAddressResolver(options.trustProxy),
    allowlist: options.allowIps === undefined ? undefined : addressSet(options.allowIps, 'allow_ips_invalid'),
    rateLimit,
    verify: options.verify === undefined ? undefined : verifyParts(options.verify),
    schema: options.schema,
    idempotency,
    maxBodyBytes,
    logger,
    clock,
    metrics,
    deliver,
    deliverFailure: queue === undefined ? 'handler_failed' : 'enqueue_failed',
  });

  function requireQueue(): WebhookQueue {
    if (queue === undefined) throw new ReceiverConfigError('queue_not_configured', 'this receiver has no queue');
    return queue.queue;
  }

  const receiver: Receiver<TEvents> = {
    mode,
    maxBodyBytes,
    metrics,
    handle,
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

function verifyParts(verify: VerifyOptions): NonNullable<PipelineParts['verify']> {
  const scheme: Scheme | undefined = SCHEMES[verify.scheme];
  if (scheme === undefined) {
    throw new ReceiverConfigError(
      'verify_invalid',
      `unknown scheme "${verify.scheme}"; one of ${Object.keys(SCHEMES).join(', ')}`,
    );
  }
  const list = typeof verify.secrets === 'string' ? [verify.secrets] : verify.secrets;
  if (list.length === 0 || list.some((secret) => typeof secret !== 'string' || secret === '')) {
    throw new ReceiverConfigError('verify_invalid', 'verify.secrets must hold at least one non-empty secret');
  }
  // Signing once shows an unusable secret (a whsec_ with no key bytes) now, not on the first webhook.
  try {
    scheme.sign({ body: '{}', secrets: list });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'secret_invalid') {
      throw new ReceiverConfigError('verify_invalid', `verify.secrets: ${(error as Error).message}`);
    }
  }
  return { scheme, secrets: list, toleranceSeconds: verify.toleranceSeconds };
}

function rateLimitStore(options: ReceiverOptions, owned: { close?(): Promise<void> }[]): RateLimitStore | undefined {
  const { rateLimit } = options;
  if (rateLimit === undefined) return undefined;
  if (rateLimit.store !== undefined) return rateLimit.store;
  const store = memoryRateLimitStore({
    perSecond: rateLimit.perSecond,
    burst: rateLimit.burst,
    maxKeys: rateLimit.maxTrackedIps,
  });
  owned.push(store);
  return store;
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
