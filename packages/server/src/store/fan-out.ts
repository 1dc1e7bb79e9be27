/** Which of an app's enabled endpoints a message goes to, and which it skips (and why): both stores' publish uses it. */
import { type Message, matchesEventType } from '../domain/index.js';
import type { PublishInput } from './admin-store.js';

export interface FanOutCandidate {
  id: string;
  /** The endpoint's event-type filters; null takes every type. */
  events: string[] | null;
  filter: string | null;
}

export interface FanOut {
  /** Endpoints that get a pending delivery. */
  deliver: string[];
  /** Endpoints that get a skipped delivery, with its reason. */
  skip: { id: string; reason: string }[];
}

/** Endpoints whose event types do not take the message get no row at all; `skip` decides among the rest. */
export function fanOut(
  endpoints: readonly FanOutCandidate[],
  message: Message,
  skip: PublishInput['skip'],
  only?: string,
): FanOut {
  const result: FanOut = { deliver: [], skip: [] };
  // A test goes to the endpoint chosen, whatever its types and filter, and to no other.
  if (only !== undefined) return { deliver: endpoints.some((e) => e.id === only) ? [only] : [], skip: [] };
  for (const endpoint of endpoints) {
    if (!matchesEventType(endpoint.events, message.type)) continue;
    const reason = skip ? skip(endpoint) : null;
    if (reason === null) result.deliver.push(endpoint.id);
    else result.skip.push({ id: endpoint.id, reason });
  }
  return result;
}
