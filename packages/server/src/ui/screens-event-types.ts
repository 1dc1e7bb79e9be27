/**
 * The event-type catalog: each registered type with its description, its JSON Schema and an example of what an
 * endpoint receives. The admin and portal customers (choosing what to subscribe to) both read it.
 */
import type { FastifyInstance } from 'fastify';
import { type EventType, schemaExample } from '../domain/index.js';
import { html } from './html.js';
import type { UiKit } from './kit.js';
import { page } from './layout.js';
import { pager } from './pager.js';

const PAGE_SIZE = 50;

/** The registered types endpoint forms offer as choices (the first page of them, archived ones left out). */
export async function eventTypeChoices(kit: UiKit): Promise<string[]> {
  const types = await kit.ctx.store.listEventTypes({ limit: 100 });
  return types.data.map((t) => t.name);
}

/** What an endpoint receives for this type, with an example of its data. */
function exampleEnvelope(type: EventType): string {
  const envelope = { type: type.name, timestamp: '2026-01-01T12:00:00.000Z', data: schemaExample(type.schema) };
  return JSON.stringify(envelope, null, 2);
}

export function eventTypeScreens(ui: FastifyInstance, kit: UiKit): void {
  const { store } = kit.ctx;

  ui.get<{ Querystring: { after?: string; trail?: string } }>('/ui/event-types', async (request, reply) => {
    const session = kit.session(request);
    const admin = session.scope.kind === 'admin';
    const app = session.scope.kind === 'app' ? await kit.app(request, session.scope.appId) : undefined;
    const types = await store.listEventTypes({
      limit: PAGE_SIZE,
      after: request.query.after || undefined,
      includeArchived: admin,
    });
    const entries = types.data.map(
      (t) => html`<section class="card event-type" aria-labelledby="type-${t.name}">
<h2 id="type-${t.name}" class="mono">${t.name}${t.archivedAt !== null ? html` <span class="badge muted">archived</span>` : ''}</h2>
<p>${t.description || html`<span class="muted">No description.</span>`}</p>
<details><summary>Schema</summary>${t.schema ? html`<pre>${JSON.stringify(t.schema, null, 2)}</pre>` : html`<p class="muted">None: any data is accepted.</p>`}</details>
<details><summary>Example</summary><pre>${exampleEnvelope(t)}</pre></details>
</section>`,
    );
    const body = html`<p class="muted">The events ${admin ? 'apps publish' : 'you can subscribe an endpoint to'}. An endpoint
subscribes to names or to <code>prefix.*</code>; its form offers these.${admin ? html` Register types with <code>POST /v1/event-types</code>.` : ''}</p>
${entries.length ? html`<div class="cards">${entries}</div>` : html`<p class="muted">No event type is registered: endpoints take any name.</p>`}
${pager('/ui/event-types', new URLSearchParams(), request.query, types.nextCursor, { next: 'More types →', first: 'First types' })}`;
    return kit.send(reply, page({ title: 'Event types', session, app, current: 'event-types', body }));
  });
}
