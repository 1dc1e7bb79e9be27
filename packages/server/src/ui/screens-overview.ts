/** Admin screens: the overview (queue, troubled endpoints, charts) and the list of apps. Portal sessions get 404. */
import type { FastifyInstance } from 'fastify';
import { ApiError, createApp, portalLink } from '../actions/index.js';
import { publicUrl } from '../api/index.js';
import { type App, uidProblem } from '../domain/index.js';
import { when } from './format.js';
import { chartsFor, noticeFor, troubledTable } from './health-view.js';
import { html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, page } from './layout.js';
import { pager } from './pager.js';
import { region, watchKeys } from './regions.js';

const PAGE_SIZE = 50;
const PORTAL_LINK_MS = 3_600_000;
/** Every figure on the overview may move with any attempt in any app. */
const ANY = [watchKeys.anyAttempt];

export function overviewScreens(ui: FastifyInstance, kit: UiKit): void {
  const { store } = kit.ctx;

  ui.get('/ui', async (request, reply) => {
    const session = kit.session(request);
    if (session.scope.kind === 'app') return reply.redirect(`/ui/apps/${encodeURIComponent(session.scope.appId)}`, 303);
    const now = kit.ctx.clock();
    const [queue, troubled, charts] = await Promise.all([
      store.queueStats(now),
      store.troubledEndpoints(null, 20),
      chartsFor(kit, undefined),
    ]);
    const apps = new Map<string, App>();
    for (const t of troubled) {
      if (!apps.has(t.endpoint.appId)) {
        const app = await store.findApp(t.endpoint.appId);
        if (app) apps.set(app.id, app);
      }
    }
    const body = html`<section aria-labelledby="troubled"><h2 id="troubled">Failing and disabled endpoints</h2>
${region('region-troubled', ANY, await troubledTable(kit, troubled, apps))}</section>
<section aria-labelledby="queue"><h2 id="queue">Queue</h2>
${region(
  'region-queue',
  ANY,
  html`<div class="card"><h3>Due now</h3><p class="figure">${queue.due}</p></div>
<div class="card"><h3>Scheduled (retries, in flight)</h3><p class="figure">${queue.scheduled}</p></div>
<div class="card"><h3>Oldest due since</h3><p class="figure">${when(queue.oldestDueAt)}</p></div>
<div class="card"><h3>Disabled endpoints</h3><p class="figure">${queue.disabledEndpoints}</p></div>`,
  'cards',
)}</section>
<section aria-labelledby="traffic"><h2 id="traffic">Delivery attempts</h2>
${region('region-charts', ANY, charts)}</section>`;
    return kit.send(reply, page({ title: 'Overview', session, current: 'overview', live: '/ui/live', body }));
  });

  ui.get<{ Querystring: { after?: string; trail?: string; notice?: string } }>('/ui/apps', async (request, reply) => {
    kit.requireAdmin(request);
    const session = kit.session(request);
    const apps = await store.listApps({ limit: PAGE_SIZE, after: request.query.after || undefined });
    const rows = apps.data.map(
      (
        app,
      ) => html`<tr><td data-label="Name"><a href="${appPath(app)}">${app.name}</a></td><td class="mono" data-label="uid">${app.uid ?? '—'}</td>
<td class="mono wrap hide-narrow" data-label="id">${app.id}</td><td data-label="Created">${when(app.createdAt)}</td></tr>`,
    );
    const body = html`<div class="table-wrap"><table><thead><tr><th>Name</th><th>uid</th><th class="hide-narrow">id</th><th>Created</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No apps yet.</td></tr>`}</tbody></table></div>
${pager('/ui/apps', new URLSearchParams(), request.query, apps.nextCursor, { next: 'Older apps →', first: 'Newest' })}
<h2 id="new-app">Create an app</h2>
<form method="post" action="/ui/apps" class="grid-form" aria-labelledby="new-app">${csrfField(session)}
<label for="app-name">Name</label><input id="app-name" name="name" required maxlength="256">
<label for="app-uid">uid (optional)</label><input id="app-uid" name="uid" maxlength="256" pattern="[A-Za-z0-9._\\-]+">
<div class="full"><button class="primary" type="submit">Create app</button></div></form>`;
    return kit.send(reply, page({ title: 'Apps', session, current: 'apps', notice: noticeFor(request.query.notice), body }));
  });

  ui.post<{ Body: { name?: string; uid?: string } }>('/ui/apps', async (request, reply) => {
    kit.requireAdmin(request);
    const name = (request.body.name ?? '').trim();
    const uid = (request.body.uid ?? '').trim() || null;
    if (!name || name.length > 256) throw new ApiError('validation_failed', 'An app needs a name of 1 to 256 characters.');
    const problem = uid === null ? null : uidProblem(uid);
    // A reserved uid is the action's to refuse, with its own code.
    if (problem !== null && problem !== 'reserved') {
      throw new ApiError('validation_failed', 'A uid is letters, digits, . _ - and may not start with app_.');
    }
    const app = await createApp(kit.ctx, kit.requester(request), { name, uid });
    return reply.redirect(`${appPath(app)}?notice=created`, 303);
  });

  // The dashboard's way to the same link POST /v1/apps/{app}/portal-link makes.
  ui.post<{ Params: { app: string } }>('/ui/apps/:app/portal-link', async (request, reply) => {
    kit.requireAdmin(request);
    const session = kit.session(request);
    const app = await kit.app(request, request.params.app);
    const { url, expiresAt: exp } = await portalLink(kit.ctx, app.id, {
      baseUrl: publicUrl(request, kit.ctx.config.publicUrl, ''),
      expiresInMs: PORTAL_LINK_MS,
      tokenId: null,
    });
    const body = html`<p>Give this link to ${app.name}'s team. It opens their endpoints and deliveries only, until ${when(exp)}.</p>
<pre id="portal-url">${url}</pre><p class="actions"><button type="button" data-copy="portal-url">Copy</button>
<a href="${appPath(app)}">Back to ${app.name}</a></p>`;
    return kit.send(reply, page({ title: 'Portal link', session, app, body }));
  });
}
