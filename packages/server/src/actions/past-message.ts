/** A past message to try an endpoint's rule on (its filter, its transformation). */
import { isPurged, type Message } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { ApiError } from './errors.js';

/** Refuses when the app has no such message, or when retention purged its payload: there is nothing to try on. */
export async function pastMessage(store: Pick<AdminStore, 'findMessage'>, appId: string, messageId: string): Promise<Message> {
  const message = await store.findMessage(appId, messageId);
  if (!message) throw new ApiError('message_not_found', `app ${appId} has no message ${JSON.stringify(messageId)}`);
  if (isPurged(message)) throw new ApiError('message_purged');
  return message;
}
