/**
 * An endpoint's attempts log: its attempts newest first, filtered by outcome, error code and time, each with the
 * request and response as they went; and "retry every failed delivery shown", which says how many it queued.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, getEndpoint, retryDelivery } from '../actions/index.js';
import { ATTEMPT_ERROR_CODES, type AttemptErrorCode } from '../domain/index.js';
import type { AttemptActivity } from '../store/index.js';
import { headerLines, httpStatus, parseUtcInput, statusBadge, utcInputValue, when } from './format.js';
import { noticeFor } from './health-view.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, endpointPath, page } from './layout.js';
import { type PagerState, pager } from './pager.js';

const PAGE_SIZE = 50;
const STATUSES = ['failed', 'succeeded'] as const;
type LogQuery = PagerState & { status?: string; code?: string; since?: string; until?: string; notice?: string; n?: string };

function attemptDetails(a: AttemptActivity, messageHref: string): Html {
  const { attempt } = a;
  return html`<details id="${attempt.id}"><summary>${httpStatus(attempt.responseStatus, attempt.error)} <span class="mono">${a.eventType}</span>
attempt ${attempt.number} in ${attempt.durationMs} ms, ${when(attempt.startedAt)} · delivery ${statusBadge(a.deliveryStatus)}</summary>
<p>${attempt.error ? html`<code>${attempt.error.code}</code> ${attempt.error.message} · ` : ''}<a href="${messageHref}">Message ${a.messageId}</a></p>
<h4>Request headers</h4><pre>${headerLines(attempt.requestHeaders)}</pre>
<h4>Request body</h4>${attempt.requestBody == null ? html`<p class="muted">The message’s payload, as stored: see the message.</p>` : html`<pre>${attempt.requestBody}</pre>`}
<h4>Response headers</h4>${attempt.responseHeaders ? html`<pre class="response-headers">${headerLines(attempt.responseHeaders)}</pre>` : html`<p class="muted">No answer.</p>`}
<h4>Response body</h4><pre>${attempt.responseBody ?? ''}</pre></details>`;
}

export function attemptScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;

  ui.get<{ Params: { app: string; ep: string }; Querystring: LogQuery }>(
    '/ui/apps/:app/endpoints/:ep/attempts',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const ep = await getEndpoint(ctx, app.id, request.params.ep);
      const q = request.query;
      const status = STATUSES.find((s) => s === q.status);
      const code = ATTEMPT_ERROR_CODES.find((c) => c === q.code) as AttemptErrorCode | undefined;
      const since = parseUtcInput(q.since);
      const until = parseUtcInput(q.until);
      const log = await ctx.store.listEndpointAttempts(ep.id, {
        status,
        errorCode: code,
        since,
        until,
        limit: PAGE_SIZE,
        after: q.after || undefined,
      });
      const messageHref = (a: AttemptActivity) =>
        `${appPath(app)}/messages/${encodeURIComponent(a.messageId)}#${encodeURIComponent(a.attempt.deliveryId)}`;
      // The deliveries shown that failed for good, once each: what "retry every failed delivery shown" queues.
      const failed = [...new Set(log.data.filter((a) => a.deliveryStatus === 'failed').map((a) => a.attempt.deliveryId))];
      const keep = new URLSearchParams();
      for (const [k, v] of Object.entries({ status, code, since: q.since, until: q.until })) if (v) keep.set(k, v);
      const base = `${endpointPath(ep)}/attempts`;
      const retryAll = failed.length
        ? html`<form method="post" action="${base}/retry-failed" class="actions" data-confirm="Retry the ${failed.length} failed deliveries shown? Each is sent again now.">${csrfField(session)}
<input type="hidden" name="deliveries" value="${failed.join(',')}"><input type="hidden" name="back" value="${keep.toString()}">
<button type="submit">Retry every failed delivery shown (${failed.length})</button></form>`
        : '';
      const body = html`<p><a href="${endpointPath(ep)}">← Endpoint ${ep.url}</a></p>
<form method="get" action="${base}" class="filters" role="search" aria-label="Filter attempts">
<div><label for="a-status">Outcome</label><select id="a-status" name="status"><option value="">any</option>
${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}</select></div>
<div><label for="a-code">Error code</label><select id="a-code" name="code"><option value="">any</option>
${ATTEMPT_ERROR_CODES.map((c) => html`<option value="${c}"${c === code ? html` selected` : ''}>${c}</option>`)}</select></div>
<div><label for="a-since">From (UTC)</label><input id="a-since" name="since" type="datetime-local" value="${utcInputValue(since)}"></div>
<div><label for="a-until">Before (UTC)</label><input id="a-until" name="until" type="datetime-local" value="${utcInputValue(until)}"></div>
<div><button type="submit">Filter</button></div></form>
${retryAll}
<div id="region-attempts" data-region><p class="muted">Newest first, ${PAGE_SIZE} a page.</p>
${log.data.length ? log.data.map((a) => attemptDetails(a, messageHref(a))) : html`<p class="muted">No attempts match.</p>`}</div>
${pager(base, keep, q, log.nextCursor, { next: 'Older attempts →', first: 'Newest' })}`;
      return kit.send(
        reply,
        page({
          title: `Attempts to ${ep.url}`,
          session,
          app,
          current: 'endpoints',
          notice: noticeFor(q.notice, q.n),
          body,
        }),
      );
    },
  );

  ui.post<{ Params: { app: string; ep: string }; Body: { deliveries?: string; back?: string } }>(
    '/ui/apps/:app/endpoints/:ep/attempts/retry-failed',
    async (request, reply) => {
      const app = await kit.app(request, request.params.app);
      const ep = await getEndpoint(ctx, app.id, request.params.ep);
      const ids = (request.body.deliveries ?? '').split(',').filter(Boolean).slice(0, PAGE_SIZE);
      let queued = 0;
      for (const id of ids) {
        // Only this endpoint's deliveries: the form is this endpoint's log.
        if ((await ctx.store.findDelivery(app.id, id))?.endpointId !== ep.id) continue;
        try {
          await retryDelivery(ctx, kit.requester(request), app.id, id);
          queued++;
        } catch (error) {
          // In flight again, skipped, purged or its endpoint disabled meanwhile: not queued, and not counted.
          if (!(error instanceof ApiError)) throw error;
        }
      }
      const back = new URLSearchParams(request.body.back ?? '');
      back.set('notice', 'queued');
      back.set('n', String(queued));
      return reply.redirect(`${endpointPath(ep)}/attempts?${back.toString()}`, 303);
    },
  );
}
