/** From an accepted webhook to its handlers, the same way inline and from the queue; counts and logs the outcome. */
import type { HandleContext, ReceivedWebhook } from '../queue/index.js';
import type { Router } from './router.js';
import type { ReceiverLogger, ReceiverMetrics } from './types.js';
import { type PayloadSchema, validatePayload } from './validation.js';

export interface Dispatcher {
  /** Runs the handlers on a payload the pipeline already parsed and validated. */
  run(webhook: ReceivedWebhook, payload: unknown, attempt: number): Promise<void>;
  /** The queue's handler: parses and validates the stored body again, then runs the handlers; a throw is a retry. */
  fromQueue(webhook: ReceivedWebhook, context: HandleContext): Promise<void>;
}

export interface DispatcherParts {
  router: Router;
  schema: PayloadSchema | undefined;
  logger: ReceiverLogger;
  metrics: ReceiverMetrics;
}

export function createDispatcher({ router, schema, logger, metrics }: DispatcherParts): Dispatcher {
  async function run(webhook: ReceivedWebhook, payload: unknown, attempt: number): Promise<void> {
    const { id, type, headers, body, receivedAt } = webhook;
    try {
      const { matched } = await router.run({ id, type, payload, headers, body, receivedAt, attempt });
      metrics.processed++;
      if (matched === 0) logger.info({ deliveryId: id, type }, 'webhook went to the unhandled handlers');
    } catch (error) {
      metrics.failed++;
      logger.error({ deliveryId: id, type, attempt, err: error }, 'webhook handler failed');
      throw error;
    }
  }

  async function storedPayload(webhook: ReceivedWebhook): Promise<unknown> {
    const parsed: unknown = JSON.parse(webhook.body);
    if (schema === undefined) return parsed;
    const result = await validatePayload(schema, parsed);
    if (!result.ok) throw new Error(`the stored payload no longer matches the schema: ${JSON.stringify(result.issues)}`);
    return result.value;
  }

  return {
    run,
    async fromQueue(webhook, context) {
      let payload: unknown;
      try {
        payload = await storedPayload(webhook);
      } catch (error) {
        metrics.failed++;
        logger.error(
          { deliveryId: webhook.id, type: webhook.type, attempt: context.attempt, err: error },
          'queued webhook unreadable',
        );
        throw error;
      }
      await run(webhook, payload, context.attempt);
    },
  };
}
