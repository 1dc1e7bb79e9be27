/** `hookd listen --forward`: routes by event type, with the domain's one matching rule (`order.*`, `*`, exact names). */
import { InvalidArgumentError } from 'commander';
import { isEventTypeFilter, matchesEventType } from '../domain/index.js';
import { parsers } from './output.js';

/** One --forward: `order.*=http://127.0.0.1:3000/orders`, or a bare URL (pattern null: every request). */
export interface ForwardRoute {
  pattern: string | null;
  url: string;
}

/** The route a request of this event type goes to: the first whose pattern matches, else the first without one. */
export function routeFor(routes: readonly ForwardRoute[], eventType: string | null): ForwardRoute | null {
  const matching =
    eventType === null ? undefined : routes.find((r) => r.pattern !== null && matchesEventType([r.pattern], eventType));
  return matching ?? routes.find((r) => r.pattern === null) ?? null;
}

/** `--forward 'order.*=http://…'` or `--forward http://…`; repeatable, in order. */
export function forwardRoute(text: string, previous: ForwardRoute[] | undefined): ForwardRoute[] {
  const eq = text.indexOf('=');
  // A bare URL may hold '=' in its query: only a valid event-type pattern before the first '=' makes a route.
  const pattern = eq > 0 && isEventTypeFilter(text.slice(0, eq)) ? text.slice(0, eq) : null;
  const url = pattern === null ? text : text.slice(eq + 1);
  try {
    parsers.url(url);
  } catch {
    throw new InvalidArgumentError(
      'expected URL or PATTERN=URL, e.g. http://127.0.0.1:3000 or "order.*=http://127.0.0.1:3000/orders" (PATTERN: an event type, prefix.* or *).',
    );
  }
  return [...(previous ?? []), { pattern, url }];
}
