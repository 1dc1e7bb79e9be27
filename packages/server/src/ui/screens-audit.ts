/** The Audit screen (admin): the audit log newest first, filtered like GET /v1/audit-log, a page at a time. */
import type { FastifyInstance } from 'fastify';
import type { AuditEntry } from '../domain/index.js';
import { when } from './format.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { page } from './layout.js';
import { pager } from './pager.js';

const PAGE_SIZE = 50;
const FILTERS = ['app', 'actor', 'action', 'target'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number] | 'after' | 'trail', string>>;

/** Each changed field as `name: before → after`; secrets were masked before the entry was written. */
function changesOf(entry: AuditEntry): Html {
  const shown = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));
  const lines = Object.entries(entry.changes).map(
    ([name, change]) => html`<li><span class="mono">${name}</span>: ${shown(change.before)} → ${shown(change.after)}</li>`,
  );
  return lines.length ? html`<ul class="changes">${lines}</ul>` : html`<span class="muted">—</span>`;
}

export function auditScreens(ui: FastifyInstance, kit: UiKit): void {
  ui.get<{ Querystring: Filters }>('/ui/audit', async (request, reply) => {
    kit.requireAdmin(request);
    const session = kit.session(request);
    const q = request.query;
    const given = (value: string | undefined) => (value ? value.slice(0, 256) : undefined);
    const log = await kit.ctx.store.listAuditLog({
      limit: PAGE_SIZE,
      after: given(q.after),
      appId: given(q.app),
      actor: given(q.actor),
      action: given(q.action),
      target: given(q.target),
    });
    const rows = log.data.map(
      (
        e,
      ) => html`<tr><td data-label="When">${when(e.at)}</td><td class="mono" data-label="Who">${e.actor}</td><td class="mono" data-label="Action">${e.action}</td>
<td class="mono wrap" data-label="Target">${e.target}</td><td class="mono wrap hide-narrow" data-label="App">${e.appId ?? '—'}</td><td data-label="Changes">${changesOf(e)}</td>
<td class="mono hide-narrow" data-label="Address">${e.address ?? '—'}</td></tr>`,
    );
    const kept = new URLSearchParams(FILTERS.flatMap((name) => (q[name] ? [[name, q[name] as string]] : [])));
    const fields = FILTERS.map(
      (name) =>
        html`<label for="audit-${name}">${name}</label><input id="audit-${name}" name="${name}" maxlength="256" value="${q[name] ?? ''}">`,
    );
    const body = html`<form method="get" action="/ui/audit" class="grid-form" aria-label="Filter the audit log">${fields}
<div class="full"><button type="submit">Filter</button></div></form>
<div class="table-wrap"><table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th class="hide-narrow">App</th>
<th>Changes</th><th class="hide-narrow">Address</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No entries.</td></tr>`}</tbody></table></div>
${pager('/ui/audit', kept, q, log.nextCursor, { next: 'Older entries →', first: 'Newest' })}`;
    return kit.send(reply, page({ title: 'Audit', session, current: 'audit', body }));
  });
}
