/**
 * Recovering failed deliveries in bulk: a form whose first answer is the count it matches, then a confirm that starts
 * a recovery job, and the job's page with its progress (live) and a cancel button.
 */
import type { FastifyInstance } from 'fastify';
import { cancelRecovery, countRecovery, getRecovery, type RecoveryRequest, startRecovery } from '../actions/index.js';
import { streamEvents } from '../api/index.js';
import { type App, ATTEMPT_ERROR_CODES, type RecoveryJob, type RecoveryOutcome } from '../domain/index.js';
import { parseUtcInput, utcInputValue, when } from './format.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, page } from './layout.js';
import { region, watchKeys } from './regions.js';

/** The recover form's fields, as typed: the GET that counts and the POST that starts carry the same ones. */
type RecoverForm = { endpoint?: string; types?: string; since?: string; until?: string; errorCode?: string };

const requestOf = (form: RecoverForm): RecoveryRequest => ({
  status: 'failed',
  endpointId: form.endpoint?.trim() || undefined,
  eventTypes: (form.types ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean),
  since: parseUtcInput(form.since),
  until: parseUtcInput(form.until),
  errorCode: form.errorCode || undefined,
});

const recoveryPath = (app: App, id: string) => `${appPath(app)}/recoveries/${encodeURIComponent(id)}`;

function recoverFields(form: RecoverForm, endpoints: { id: string; url: string }[]): Html {
  const selected = (yes: boolean) => (yes ? ' selected' : '');
  return html`<label for="recover-endpoint">Endpoint</label>
<select id="recover-endpoint" name="endpoint"><option value="">Every endpoint</option>${endpoints.map((e) => html`<option value="${e.id}"${selected(form.endpoint === e.id)}>${e.url}</option>`)}</select>
<label for="recover-types">Event types</label>
<input id="recover-types" name="types" value="${form.types ?? ''}" placeholder="every type; or e.g. order.paid, invoice.paid">
<label for="recover-since">Created since (UTC)</label>
<input id="recover-since" name="since" type="datetime-local" value="${form.since ?? ''}">
<label for="recover-until">Created before (UTC)</label>
<input id="recover-until" name="until" type="datetime-local" value="${form.until ?? ''}">
<label for="recover-error">Last error</label>
<select id="recover-error" name="errorCode"><option value="">Any error</option>${ATTEMPT_ERROR_CODES.map((code) => html`<option value="${code}"${selected(form.errorCode === code)}>${code}</option>`)}</select>`;
}

/** The hidden copy of the counted filter the confirm button posts, so what starts is what was counted. */
const hiddenFields = (form: RecoverForm) =>
  (['endpoint', 'types', 'since', 'until', 'errorCode'] as const).map(
    (name) => html`<input type="hidden" name="${name}" value="${form[name] ?? ''}">`,
  );

function progressView(job: RecoveryJob, outcome: RecoveryOutcome | null): Html {
  const done = job.status === 'completed' ? job.total : Math.min(job.requeued, job.total);
  return html`<dl class="facts">
<dt>State</dt><dd id="recovery-state">${job.status}${job.finishedAt !== null ? html` (${when(job.finishedAt)})` : ''}</dd>
<dt>Progress</dt><dd><progress id="recovery-progress" max="${Math.max(job.total, 1)}" value="${job.total === 0 ? 1 : done}"></progress>
<span id="recovery-count">${job.requeued} of ${job.total} re-queued</span> · ${job.scanned} looked at</dd>
<dt>Outcome</dt><dd id="recovery-outcome">${outcome ? `${outcome.delivered} delivered · ${outcome.failedAgain} failed again · ${outcome.waiting} waiting` : 'nothing re-queued yet'}</dd>
<dt>Started</dt><dd>${when(job.createdAt)} by ${job.createdBy}</dd>
<dt>Filter</dt><dd><code>${JSON.stringify(job.filter)}</code></dd>
</dl>`;
}

export function recoveryScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;

  ui.get<{ Params: { app: string }; Querystring: RecoverForm & { count?: string } }>(
    '/ui/apps/:app/recover',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const endpoints = (await ctx.store.listEndpoints(app.id, { limit: 250 })).data.filter((e) => e.disabledAt === null);
      const form: RecoverForm = { ...request.query };
      form.since ??= utcInputValue(ctx.clock() - 86_400_000);
      let counted: Html | string = '';
      if (request.query.count !== undefined) {
        const count = await countRecovery(ctx, app.id, requestOf(form));
        const plural = count.total === 1 ? 'delivery matches' : 'deliveries match';
        counted = html`<section aria-labelledby="recover-count"><h2 id="recover-count">${count.total} failed ${plural}</h2>
${
  count.total === 0
    ? html`<p class="muted">Nothing to recover: change the filter.</p>`
    : html`<form method="post" action="${appPath(app)}/recoveries" class="inline">${csrfField(session)}${hiddenFields(form)}
<button class="primary" type="submit">Recover ${count.total} ${count.total === 1 ? 'delivery' : 'deliveries'}</button></form>`
}</section>`;
      }
      const body = html`<p class="muted">Re-queues failed deliveries in the background, in small batches; each at most once per recovery. Deliveries of disabled endpoints are left out.</p>
<form method="get" action="${appPath(app)}/recover" class="grid-form" aria-label="Recover failed deliveries">
${recoverFields(form, endpoints)}
<div class="full"><button type="submit" name="count" value="1">Count matching deliveries</button></div></form>
${counted}`;
      return kit.send(reply, page({ title: 'Recover failed deliveries', session, app, current: 'endpoints', body }));
    },
  );

  ui.post<{ Params: { app: string }; Body: RecoverForm }>('/ui/apps/:app/recoveries', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    const job = await startRecovery(ctx, kit.requester(request), app.id, requestOf(request.body));
    return reply.redirect(recoveryPath(app, job.id), 303);
  });

  ui.get<{ Params: { app: string; rcv: string } }>('/ui/apps/:app/recoveries/:rcv', async (request, reply) => {
    const session = kit.session(request);
    const app = await kit.app(request, request.params.app);
    const { job, outcome } = await getRecovery(ctx, app.id, request.params.rcv);
    const cancel =
      job.status === 'running'
        ? html`<form method="post" action="${recoveryPath(app, job.id)}/cancel" class="inline" data-confirm="Cancel this recovery? What it re-queued stays queued.">${csrfField(session)}<button class="danger" type="submit">Cancel recovery</button></form>`
        : '';
    const body = html`${region('region-recovery', [watchKeys.recovery(job.id)], html`${progressView(job, outcome)}<div class="actions">${cancel}</div>`)}
<p><a href="${appPath(app)}/recover">Recover more</a></p>`;
    const live = `${recoveryPath(app, job.id)}/live`;
    return kit.send(reply, page({ title: `Recovery ${job.id}`, session, app, current: 'endpoints', live, body }));
  });

  ui.post<{ Params: { app: string; rcv: string } }>('/ui/apps/:app/recoveries/:rcv/cancel', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    const job = await cancelRecovery(ctx, kit.requester(request), app.id, request.params.rcv);
    return reply.redirect(recoveryPath(app, job.id), 303);
  });

  // Says "changed" each time the job moves, so the page swaps its region; then, once it has finished, a while
  // longer as its re-queued deliveries are attempted.
  ui.get<{ Params: { app: string; rcv: string } }>('/ui/apps/:app/recoveries/:rcv/live', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    const { job } = await getRecovery(ctx, app.id, request.params.rcv);
    await streamEvents(request, reply, {
      async poll(after) {
        const { job: now, outcome } = await getRecovery(ctx, app.id, job.id);
        const id = `${now.status}.${now.requeued}.${outcome ? outcome.waiting : ''}.${outcome ? outcome.delivered : ''}`;
        return id === after ? [] : [{ id, event: 'recovery', data: { keys: [watchKeys.recovery(job.id)] } }];
      },
      intervalMs: 500,
      timers: ctx.timers,
    });
  });
}
