/**
 * Routing on the event type: exact names, `prefix.*` (any type under the prefix, at any depth) and `*`,
 * the same rules as hookd's endpoint filters. Handlers run one after another in the order they were added.
 */
import { ReceiverConfigError } from './errors.js';
import type { UnhandledWebhookEvent, WebhookHandler } from './types.js';

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}

function assertPattern(pattern: string): void {
  const stem = pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern;
  if (pattern !== '*' && (stem === '' || stem.includes('*'))) {
    throw new ReceiverConfigError('option_invalid', `"${pattern}" is not an event type, "prefix.*" or "*"`);
  }
}

type AnyHandler = WebhookHandler<UnhandledWebhookEvent>;

export interface Router {
  add(pattern: string, handler: AnyHandler): void;
  addUnhandled(handler: AnyHandler): void;
  /** Runs every matching handler, or the unhandled ones when none match; rejects with the first throw. */
  run(event: UnhandledWebhookEvent): Promise<{ matched: number }>;
}

export function createRouter(): Router {
  const routes: { pattern: string; handler: AnyHandler }[] = [];
  const unhandled: AnyHandler[] = [];
  return {
    add(pattern, handler) {
      assertPattern(pattern);
      routes.push({ pattern, handler });
    },
    addUnhandled(handler) {
      unhandled.push(handler);
    },
    async run(event) {
      const type = event.type;
      const matching = type === null ? [] : routes.filter((route) => matchesPattern(route.pattern, type));
      for (const route of matching) await route.handler(event);
      if (matching.length === 0) for (const handler of unhandled) await handler(event);
      return { matched: matching.length };
    },
  };
}
