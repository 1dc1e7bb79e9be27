/**
 * The Sources screens (admin only): each inbound source with its ingest URL, signature scheme, the requests it took
 * lately, those it refused and why, and its destinations.
 */
import type { FastifyInstance } from 'fastify';
import { getSource } from '../actions/index.js';
import { publicUrl } from '../api/index.js';
import { RECENT_REFUSALS_KEPT } from '../store/index.js';
import { statusBadge, when } from './format.js';
import { html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, endpointPath, page } from './layout.js';
import { pager } from './pager.js';

const PAGE_SIZE = 50;
export const sourcePath = (idOrName: string) => `/ui/sources/${encodeURIComponent(idOrName)}`;

export function sourceScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;
  const { store } = ctx;
  const ingestUrl = (request: Parameters<typeof publicUrl>[0], name: string) =>
    publicUrl(request, ctx.config.publicUrl, `/in/${encodeURIComponent(name)}`);

  ui.get<{ Querystring: { after?: string; trail?: string } }>('/ui/sources', async (request, reply) => {
    kit.requireAdmin(request);
    const session = kit.session(request);
    const sources = await store.listSources({ limit: PAGE_SIZE, after: request.query.after || undefined });
    const rows = sources.data.map(
      (
        s,
      ) => html`<tr><td data-label="Name"><a href="${sourcePath(s.id)}">${s.name}</a></td><td class="mono" data-label="Signature">${s.scheme}</td>
<td class="mono wrap" data-label="Ingest URL">${ingestUrl(request, s.name)}</td>
<td data-label="Refused">${s.refusals}${s.lastRefusal ? html`<br><span class="muted"><code>${s.lastRefusal.code}</code> ${when(s.lastRefusal.at)}</span>` : ''}</td></tr>`,
    );
    const body = html`<p class="muted">Webhooks hookd receives from providers (Stripe, GitHub, …): each source verifies them
and hands them to its destinations. Create sources with <code>POST /v1/sources</code>.</p>
<div class="table-wrap"><table><thead><tr><th>Name</th><th>Signature</th><th>Ingest URL</th><th>Refused</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No sources yet.</td></tr>`}</tbody></table></div>
${pager('/ui/sources', new URLSearchParams(), request.query, sources.nextCursor, { next: 'Older sources →', first: 'Newest' })}`;
    return kit.send(reply, page({ title: 'Sources', session, current: 'sources', body }));
  });

  ui.get<{ Params: { source: string } }>('/ui/sources/:source', async (request, reply) => {
    kit.requireAdmin(request);
    const session = kit.session(request);
    const source = await getSource(ctx, request.params.source);
    const [destinations, recent, refusals] = await Promise.all([
      store.listEndpoints(source.appId, { limit: 100 }),
      store.listMessages(source.appId, {}, { limit: 20 }),
      store.listSourceRefusals(source.id, RECENT_REFUSALS_KEPT),
    ]);
    const counts = await store.countDeliveriesByMessage(
      source.appId,
      recent.data.map((m) => m.id),
    );
    const messages = `${appPath({ id: source.appId })}/messages`;
    const requestRows = recent.data.map((m) => {
      const c = counts[m.id];
      const summary = c
        ? (['pending', 'succeeded', 'failed', 'skipped'] as const)
            .filter((s) => c[s] > 0)
            .map((s) => html`${statusBadge(s)} ${c[s]} `)
        : html`<span class="muted">no destination</span>`;
      return html`<tr><td data-label="Time">${when(m.createdAt)}</td><td class="mono" data-label="Type">${m.type}</td>
<td class="mono wrap" data-label="Message"><a href="${messages}/${encodeURIComponent(m.id)}">${m.id}</a></td><td data-label="Deliveries">${summary}</td></tr>`;
    });
    const refusalRows = refusals.map(
      (r) =>
        html`<tr><td data-label="Time">${when(r.at)}</td><td data-label="Code"><code>${r.code}</code></td><td class="wrap" data-label="Reason">${r.message}</td></tr>`,
    );
    const destinationRows = destinations.data.map(
      (ep) => html`<li><a href="${endpointPath(ep)}">${ep.url}</a> ${ep.disabledAt !== null ? statusBadge('disabled') : ''}
<span class="muted">${ep.events ? ep.events.join(', ') : 'every type'}</span></li>`,
    );
    const url = ingestUrl(request, source.name);
    const body = html`<dl class="facts">
<dt>Ingest URL</dt><dd><code id="ingest-url">${url}</code> <button type="button" data-copy="ingest-url">Copy</button></dd>
<dt>Signature</dt><dd class="mono" id="source-scheme">${source.scheme === 'none' ? 'none: no signature checked' : source.scheme}</dd>
<dt>Secrets</dt><dd>${source.secrets.length} set${source.secrets.length > 1 ? ' (rotation: any verifies)' : ''}</dd>
<dt>Allowed addresses</dt><dd>${source.allowIps.length ? html`<code>${source.allowIps.join(', ')}</code>` : 'any'}</dd>
<dt>Rate limit</dt><dd>${source.rateLimit ? `${source.rateLimit.perSecond}/s, burst ${source.rateLimit.burst}` : 'none'}</dd>
<dt>Schema</dt><dd>${source.schema ? 'set: bodies must match it' : 'none'}</dd>
<dt>Id</dt><dd class="mono">${source.id}</dd>
</dl>
<section aria-labelledby="destinations"><h2 id="destinations">Destinations</h2>
${destinationRows.length ? html`<ul>${destinationRows}</ul>` : html`<p class="muted">No destination: what it takes is kept, sent nowhere.</p>`}
<p><a href="${appPath({ id: source.appId })}">Manage destinations (its app’s endpoints)</a></p></section>
<section aria-labelledby="requests"><h2 id="requests">Recent requests</h2>
<div class="table-wrap"><table><thead><tr><th>Time</th><th>Type</th><th>Message</th><th>Deliveries</th></tr></thead>
<tbody>${requestRows.length ? requestRows : html`<tr><td colspan="4" class="muted">Nothing taken yet.</td></tr>`}</tbody></table></div>
<p><a href="${messages}">Every request it took →</a></p></section>
<section aria-labelledby="refusals"><h2 id="refusals">Refused requests</h2>
<p class="muted">${source.refusals} refused since it was created; the latest ${RECENT_REFUSALS_KEPT} are listed with their reason.
Nothing of a refused request is kept but why and when.</p>
<div class="table-wrap" id="source-refusals"><table><thead><tr><th>Time</th><th>Code</th><th>Reason</th></tr></thead>
<tbody>${refusalRows.length ? refusalRows : html`<tr><td colspan="3" class="muted">None refused.</td></tr>`}</tbody></table></div></section>`;
    return kit.send(reply, page({ title: `Source ${source.name}`, session, current: 'sources', body }));
  });
}
