/** An app's messages, filtered and paged by cursor, each with its deliveries and every attempt; retry one delivery. */
import type { FastifyInstance } from 'fastify';
import { ApiError, retryDelivery, searchMessages } from '../actions/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus, isPurged } from '../domain/index.js';
import type { MessagePage } from '../store/index.js';
import { attemptError, headerLines, httpStatus, parseUtcInput, statusBadge, utcInputValue, when } from './format.js';
import { noticeFor } from './health-view.js';
import { html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, page } from './layout.js';
import { region, watchKeys } from './regions.js';

const PAGE_SIZE = 50;
/** The search box's fields, each kept in the paging links. */
const CRITERIA = ['id', 'idempotencyKey', 'type', 'endpoint', 'status', 'since', 'until', 'where'] as const;
type ListQuery = Partial<Record<(typeof CRITERIA)[number] | 'after' | 'before' | 'notice', string>>;

/** The content box holds several `path:value` criteria, separated by spaces outside double quotes. */
export function splitCriteria(text: string): string[] {
  return text.match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g) ?? [];
}

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
    const text = (name: (typeof CRITERIA)[number]) => q[name]?.trim() || undefined;
    const search = {
      id: text('id'),
      idempotencyKey: text('idempotencyKey'),
      type: text('type'),
      endpointId: text('endpoint'),
      status,
      since: parseUtcInput(q.since),
      until: parseUtcInput(q.until),
      where: splitCriteria(q.where ?? ''),
    };
    const cursor = { after: q.after || undefined, before: q.after ? undefined : q.before || undefined };
    // Cursor pages over indexes: no count of all messages, whatever their number. A malformed content criterion is
    // said beside the form, which keeps what was typed.
    let messages: MessagePage = { data: [], nextCursor: null, prevCursor: null, search: null };
    let refused: string | null = null;
    try {
      messages = await searchMessages(ctx, app.id, search, { limit: PAGE_SIZE, ...cursor });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'invalid_search') throw error;
      refused = error.message;
    }
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
    for (const name of CRITERIA) {
      const value = name === 'status' ? status : q[name]?.trim();
      if (value) keep.set(name, value);
    }
    const base = `${appPath(app)}/messages`;
    const link = (extra: [string, string][]) => `${base}?${new URLSearchParams([...keep, ...extra]).toString()}`;
    const newer = messages.prevCursor ? html`<a href="${link([['before', messages.prevCursor]])}" rel="prev">← Newer</a>` : '';
    const older = messages.nextCursor ? html`<a href="${link([['after', messages.nextCursor]])}" rel="next">Older →</a>` : '';
    const paged = cursor.after !== undefined || cursor.before !== undefined;
    const input = (name: (typeof CRITERIA)[number], label: string, placeholder: string, type = 'text') =>
      html`<div><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${q[name] ?? ''}" placeholder="${placeholder}"></div>`;
    const plan = messages.search;
    const scope =
      plan && !plan.indexed && plan.scanLimit !== null
        ? html`<p class="notice" id="search-scope">Content searched in the newest ${plan.scanLimit.toLocaleString('en-US')} messages only: add its path to <code>HOOKD_SEARCH_FIELDS</code> to search every message through an index.</p>`
        : '';
    const body = html`<form method="get" action="${base}" class="filters" role="search" aria-label="Search messages">
${input('where', 'Content', 'data.order_id:1234')}
${input('id', 'Message id', 'msg_…')}
${input('idempotencyKey', 'Idempotency-Key', 'any')}
${input('type', 'Event type', 'any')}
${input('endpoint', 'Endpoint id', 'any')}
<div><label for="f-status">Delivery status</label><select id="f-status" name="status"><option value="">any</option>
${DELIVERY_STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}</select></div>
<div><label for="f-since">From (UTC)</label><input id="f-since" name="since" type="datetime-local" value="${utcInputValue(search.since)}"></div>
<div><label for="f-until">Before (UTC)</label><input id="f-until" name="until" type="datetime-local" value="${utcInputValue(search.until)}"></div>
<div><button type="submit">Search</button></div></form>
<p class="muted hint">Content: <code>path:value</code> in the payload as delivered, several separated by spaces, e.g. <code>data.order_id:1234 data.status:paid</code>; <code>1234</code> is a number, <code>"1234"</code> a string.</p>
${refused ? html`<p class="notice error" role="alert" id="search-error">${refused} (<code>invalid_search</code>)</p>` : ''}${scope}
${region(
  'region-messages',
  [watchKeys.anyMessage, ...messages.data.map((m) => watchKeys.message(m.id))],
  html`<table><caption class="muted">Newest first, ${PAGE_SIZE} a page</caption>
<thead><tr><th>Time</th><th>Type</th><th>Message</th><th>Deliveries</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No messages match.</td></tr>`}</tbody></table>`,
  'table-wrap',
)}
<nav class="pager" aria-label="Pages">${paged ? html`<a href="${link([])}">⇤ Newest</a>` : ''}${newer}${older}</nav>`;
    // Only the first page follows new messages live; an older page stays as it is.
    const live = paged ? undefined : `${appPath(app)}/live`;
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
<h4>Request headers</h4><pre>${headerLines(a.requestHeaders)}</pre>
${(a.requestBody ?? null) === null ? html`<p class="muted">Request body: the message’s <a href="#payload">payload</a>, shown once above.</p>` : html`<h4>Request body, as the transformation made it</h4><pre class="request-body">${a.requestBody}</pre>`}
<h4>Response</h4><dl class="facts"><dt>Status</dt><dd>${a.responseStatus ?? '—'}</dd><dt>Error</dt><dd>${attemptError(a.error)}</dd>
<dt>Duration</dt><dd>${a.durationMs} ms</dd></dl>
${a.responseHeaders ? html`<h4>Response headers</h4><pre class="response-headers">${headerLines(a.responseHeaders)}</pre>` : ''}<pre>${a.responseBody ?? ''}</pre></details>`,
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
<details id="payload" open><summary>Payload, the bytes signed and sent</summary><pre>${isPurged(message) ? '(purged by retention)' : message.payload}</pre></details>
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
