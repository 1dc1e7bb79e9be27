/** Finding messages by any of their facts and by content, behind GET /v1/apps/{app}/events and the dashboard. */
import { type DeliveryStatus, parseContentCriteria, SearchSyntaxError } from '../domain/index.js';
import type { AdminStore, MessagePage } from '../store/index.js';
import { ApiError } from './errors.js';

export interface MessageSearch {
  id?: string;
  idempotencyKey?: string;
  type?: string;
  endpointId?: string;
  status?: DeliveryStatus;
  since?: number;
  until?: number;
  /** Content criteria as written, `path:value` each (see domain/message-search.ts). */
  where?: readonly string[];
}

export interface SearchPage {
  limit: number;
  after?: string;
  before?: string;
}

/** One page of the app's matching messages, newest first; throws `invalid_search` for a malformed search. */
export async function searchMessages(
  ctx: { store: Pick<AdminStore, 'listMessages'> },
  appId: string,
  search: MessageSearch,
  page: SearchPage,
): Promise<MessagePage> {
  if (page.after !== undefined && page.before !== undefined) {
    throw new ApiError('invalid_search', 'give `after` (older messages) or `before` (newer ones), not both');
  }
  let content: ReturnType<typeof parseContentCriteria>;
  try {
    content = parseContentCriteria(search.where ?? []);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw new ApiError('invalid_search', error.message);
    throw error;
  }
  const { where: _, ...facts } = search;
  return ctx.store.listMessages(appId, { ...facts, content }, page);
}
