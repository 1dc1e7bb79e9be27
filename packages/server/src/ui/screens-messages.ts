/** An app's messages, filtered and paged by cursor, each with its deliveries and every attempt; retry one delivery. */
import type { FastifyInstance } from 'fastify';
import { ApiError, retryDelivery } from '../actions/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus, isPurged } from '../domain/index.js';
import { attemptError, httpStatus, parseUtcInput, prettyJson, statusBadge, utcInputValue, when } from './format.js';
import { noticeFor } from './health-view.js';
import { html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, page } from './layout.js';
import { pager } from './pager.js';
import { region, watchKeys } from './regions.js';

const PAGE_SIZE = 50;
type ListQuery = {
  type?: string;
  status?: string;
  since?: string;
  until?: string;
  after?: string;
  trail?: string;
  notice?: string;
};

/** A test event's mark, beside its type. */
const testMark = (test: boolean | undefined) => (test ? html` <span class="badge muted" title="A test event">test</span>` : '');

export function messageScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;
  const { store } = ctx;

  ui.get<{ Params: { app: string }; Querystring: ListQuery }>('/ui/apps/:app/messages', async (request, reply) => {
    const session = kit.session(request);
    const app = await kit.app(request, request.params.app);
    const q = request.query;
    const status = DELIVERY_STATUSES.includes(q.status as DeliveryStatus) ? (q.status as DeliveryStatus) : undefined;
    const filter = {
      type: q.type?.trim() || undefined,
      status,
      since: parseUtcInput(q.since),
      until: parseUtcInput(q.until),
    };
    // Cursor pages over the (app_id, id) index: no count of all messages, whatever their number.
    const messages = await store.listMessages(app.id, filter, { limit: PAGE_SIZE, after: q.after || undefined });
    const counts = await store.countDeliveriesByMessage(
      app.id,
      messages.data.map((m) => m.id),
    );
    const rows = messages.data.map((m) => {
      const c = counts[m.id];
      const summary = c
        ? DELIVERY_STATUSES.filter((s) => c[s] > 0).map((s) => html`${statusBadge(s)} ${c[s]} `)
        : html`<span class="muted">no endpoint</span>`;
      return html`<tr id="row-${m.id}"><td data-label="Time">${when(m.createdAt)}</td><td class="mono" data-label="Type">${m.type}${testMark(m.test)}</td>
<td class="mono wrap" data-label="Message"><a href="${appPath(app)}/messages/${encodeURIComponent(m.id)}">${m.id}</a></td><td data-label="Deliveries">${summary}</td></tr>`;
    });
    const keep = new URLSearchParams();
    for (const [k, v] of Object.entries({ type: filter.type, status, since: q.since, until: q.until })) if (v) keep.set(k, v);
    const base = `${appPath(app)}/messages`;
    const body = html`<form method="get" action="${base}" class="filters" role="search" aria-label="Filter messages">
<div><label for="f-type">Event type</label><input id="f-type" name="type" value="${filter.type ?? ''}" placeholder="any"></div>
<div><label for="f-status">Delivery status</label><select id="f-status" name="status"><option value="">any</option>
${DELIVERY_STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}</select></div>
<div><label for="f-since">From (UTC)</label><input id="f-since" name="since" type="datetime-local" value="${utcInputValue(filter.since)}"></div>
<div><label for="f-until">Before (UTC)</label><input id="f-until" name="until" type="datetime-local" value="${utcInputValue(filter.until)}"></div>
<div><button type="submit">Filter</button></div></form>
${region(
  'region-messages',
  [watchKeys.anyMessage, ...messages.data.map((m) => watchKeys.message(m.id))],
  html`<table><caption class="muted">Newest first, ${PAGE_SIZE} a page</caption>
<thead><tr><th>Time</th><th>Type</th><th>Message</th><th>Deliveries</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No messages match.</td></tr>`}</tbody></table>`,
  'table-wrap',
)}
${pager(base, keep, q, messages.nextCursor, { next: 'Older messages →', first: 'Newest' })}`;
    // Only the first page follows new messages live; an older page stays as it is.
    const live = q.after ? undefined : `${appPath(app)}/live`;
    return kit.send(
      reply,
      page({ title: 'Messages', session, app, current: 'messages', live, notice: noticeFor(q.notice), body }),
    );
  });

  ui.get<{ Params: { app: string; msg: string }; Querystring: { notice?: string } }>(
    '/ui/apps/:app/messages/:msg',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const message = await store.findMessage(app.id, request.params.msg);
      if (!message) throw new ApiError('message_not_found');
      const deliveries = await store.listDeliveries(app.id, { messageId: message.id }, { limit: 100 });
      const sections = await Promise.all(
        deliveries.data.map(async (d) => {
          const [endpoint, attempts] = await Promise.all([store.findEndpoint(app.id, d.endpointId), store.listAttempts(d.id)]);
          const list = attempts.map(
            (a) => html`<details id="${a.id}"><summary>Attempt ${a.number}: ${httpStatus(a.responseStatus, a.error)}
in ${a.durationMs} ms, ${when(a.startedAt)}</summary>
<h4>Request headers</h4><pre>${Object.entries(a.requestHeaders)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}</pre>
<p class="muted">Request body: the message’s <a href="#payload">payload</a>, shown once above.</p>
<h4>Response</h4><dl class="facts"><dt>Status</dt><dd>${a.responseStatus ?? '—'}</dd><dt>Error</dt><dd>${attemptError(a.error)}</dd>
<dt>Duration</dt><dd>${a.durationMs} ms</dd></dl><pre>${a.responseBody ?? ''}</pre></details>`,
          );
          return html`<section class="card" id="${d.id}" aria-label="Delivery to ${endpoint?.url ?? d.endpointId}">
<h3>${statusBadge(d.status)} to <a href="${appPath(app)}/endpoints/${encodeURIComponent(d.endpointId)}">${endpoint?.url ?? d.endpointId}</a></h3>
<p class="muted">${d.attemptCount} attempt(s)${d.status === 'pending' && d.nextAttemptAt !== null ? html` · next at ${when(d.nextAttemptAt)}` : ''}${d.lastError ? html` · last error: ${d.lastError}` : ''}</p>
${d.status === 'skipped' ? html`<p class="skip-reason">Skipped, not sent: ${d.skipReason ?? 'no reason recorded'}</p>` : list.length ? list : html`<p class="muted">No attempt yet.</p>`}
${d.status === 'skipped' ? '' : html`<form method="post" action="${appPath(app)}/deliveries/${encodeURIComponent(d.id)}/retry" class="actions"${d.status === 'succeeded' ? html` data-confirm="This delivery succeeded. Send it again to ${endpoint?.url ?? d.endpointId}?"` : ''}>${csrfField(session)}<button type="submit">Retry now</button></form>`}
</section>`;
        }),
      );
      const body = html`<dl class="facts"><dt>Type</dt><dd class="mono">${message.type}${testMark(message.test)}</dd><dt>Id</dt><dd class="mono">${message.id}</dd>
<dt>Published</dt><dd>${when(message.createdAt)}</dd>${message.idempotencyKey ? html`<dt>Idempotency-Key</dt><dd class="mono">${message.idempotencyKey}</dd>` : ''}</dl>
<details id="payload" open><summary>Payload</summary><pre>${isPurged(message) ? '(purged by retention)' : prettyJson(message.payload)}</pre></details>
<h2>Deliveries</h2>${region(
        'region-deliveries',
        [watchKeys.message(message.id)],
        sections.length ? html`${sections}` : html`<p class="muted">No endpoint was subscribed to this type.</p>`,
      )}`;
      return kit.send(
        reply,
        page({
          title: `Message ${message.type}`,
          session,
          app,
          current: 'messages',
          live: `${appPath(app)}/live`,
          notice: noticeFor(request.query.notice),
          body,
        }),
      );
    },
  );

  ui.post<{ Params: { app: string; dlv: string } }>('/ui/apps/:app/deliveries/:dlv/retry', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    const delivery = await retryDelivery(ctx, kit.requester(request), app.id, request.params.dlv);
    return reply.redirect(
      `${appPath(app)}/messages/${encodeURIComponent(delivery.messageId)}?notice=retried#${delivery.id}`,
      303,
    );
  });
}
