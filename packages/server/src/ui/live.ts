/**
 * Live updates: a Server-Sent Events stream per scope that says what changed (an attempt was made on an endpoint for
 * a message, a message was published) as the keys live regions watch; the page's script fetches again only the
 * regions an event concerns. Polls the store, so any process's writes show.
 */
import type { FastifyInstance } from 'fastify';
import { attemptPoll, type SseEvent, streamEvents } from '../api/index.js';
import { idAt } from '../domain/index.js';
import type { UiKit } from './kit.js';
import { watchKeys } from './regions.js';

const SEP = ' ';
const CATCH_UP_MS = 5_000;

export function liveRoutes(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;

  /** Attempts (and, for one app, messages) after a cursor `<attempt id> <message id>`. */
  function poller(appId: string | undefined) {
    const attempts = attemptPoll(ctx, appId, undefined);
    let messageCursor: string | null = null;
    return {
      // A page is rendered a moment before its stream opens: starting a little earlier, nothing made meanwhile is missed.
      async start() {
        const from = ctx.clock() - CATCH_UP_MS;
        return `${idAt('atm', from)}${SEP}${appId ? idAt('msg', from) : ''}`;
      },
      async poll(after: string | null): Promise<SseEvent[]> {
        const [attemptAfter = '', messageAfter = ''] = (after ?? '').split(SEP);
        messageCursor ??= messageAfter || null;
        const events = (await attempts.poll(attemptAfter || null)).map((e) => ({ ...e, data: attemptKeys(e.data) }));
        let attemptCursor = events.at(-1)?.id ?? attemptAfter;
        if (appId) {
          const messages = await ctx.store.messagesAfter(appId, messageCursor, ctx.clock(), 100);
          for (const m of messages) {
            events.push({ id: m.id, event: 'message', data: { keys: [watchKeys.anyMessage, watchKeys.message(m.id)] } });
          }
          messageCursor = messages.at(-1)?.id ?? messageCursor;
        }
        attemptCursor ||= '';
        // Every event carries the whole cursor, so a reconnecting EventSource resumes after both.
        return events.map((e) => ({ ...e, id: `${attemptCursor}${SEP}${messageCursor ?? ''}` }));
      },
    };
  }

  ui.get('/ui/live', async (request, reply) => {
    kit.requireAdmin(request);
    await streamEvents(request, reply, { ...poller(undefined), intervalMs: 500, timers: ctx.timers });
  });

  ui.get<{ Params: { app: string } }>('/ui/apps/:app/live', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    await streamEvents(request, reply, { ...poller(app.id), intervalMs: 500, timers: ctx.timers });
  });
}

/** An attempt concerns its endpoint and its message; the data says no more than that. */
function attemptKeys(data: unknown): { keys: string[] } {
  const { endpointId, messageId } = data as { endpointId: string; messageId: string };
  return { keys: [watchKeys.anyAttempt, watchKeys.endpoint(endpointId), watchKeys.message(messageId)] };
}
