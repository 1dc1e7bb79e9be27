import type { Page } from './types.js';

/**
 * Walks every page of a list, yielding its items one by one and fetching the next page only when needed:
 * `for await (const event of paginate((page) => client.events.list('acme', { ...page, type: 'order.paid' })))`.
 */
export async function* paginate<T>(listPage: (page: { after?: string }) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let after: string | undefined;
  do {
    const page = await listPage(after === undefined ? {} : { after });
    yield* page.data;
    after = page.nextCursor ?? undefined;
  } while (after !== undefined);
}
