/**
 * An app's screens: its endpoints with health, and the endpoint actions (create, edit, disable, rotate, replay, test);
 * pause, resume and enable are in screens-endpoint-state.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  countFailedWhileDisabled,
  createEndpoint,
  disableEndpoint,
  getEndpoint,
  publishEvent,
  replayEndpoint,
  rotateEndpointSecret,
  updateEndpoint,
} from '../actions/index.js';
import {
  type App,
  type CredentialSummary,
  credentialSummary,
  type Endpoint,
  HEALTH_WINDOWS_MS,
  healthWindow,
  NO_CREDENTIALS,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  signingKeys,
} from '../domain/index.js';
import { httpStatus, parseUtcInput, percent, statusBadge, utcInputValue, when } from './format.js';
import { chartsFor, noticeFor, troubledTable } from './health-view.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath, csrfField, endpointPath, page } from './layout.js';
import { credentialForms } from './screens-credentials.js';
import { stateBadges, stateControls, stateFacts } from './screens-endpoint-state.js';
import { filterField, filterTestForm, parseFilterText } from './screens-filter.js';
import { transformationField, transformationText, transformationTryForm } from './screens-transformation.js';

const PAGE_SIZE = 50;
type EpParams = { app: string; ep: string };
/** A redirect's notice, and the count some of them carry. */
type Notice = { notice?: string; count?: string };
type EndpointForm = {
  url?: string;
  description?: string;
  events?: string;
  filter?: string;
  transformation?: string;
  signatureScheme?: string;
  sendTraceContext?: string;
};

/** The form's fields as an action takes them: the filters are one comma- or space-separated text. */
const formFields = (form: EndpointForm) => ({
  url: (form.url ?? '').trim(),
  description: (form.description ?? '').slice(0, 1024),
  events: (form.events ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean),
  // The textarea shows the saved filter: emptied, it removes it.
  filter: parseFilterText(form.filter),
  // Likewise the code: emptied, it removes the transformation; code that does not compile is `transformation_invalid`.
  transformation: transformationText(form.transformation),
  // An unchecked box is left out of the form: the setting is off.
  sendTraceContext: form.sendTraceContext === 'on',
  // An unknown value is left to the action, which keeps the endpoint's scheme (or the default) for a missing one.
  signatureScheme: SIGNATURE_SCHEMES.find((scheme) => scheme === form.signatureScheme),
});

const SCHEME_LABELS: Record<SignatureScheme, string> = {
  standard: 'Standard Webhooks, HMAC (whsec_ secret)',
  ed25519: 'Standard Webhooks, Ed25519 (receivers hold only a public key)',
  'hmac-sha256-hex': 'HMAC-SHA256 hex (X-Webhook-Signature)',
};

export function endpointScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;
  const { store } = ctx;

  const disabledBy = (request: FastifyRequest) =>
    `disabled in ${kit.session(request).scope.kind === 'admin' ? 'the dashboard' : 'the app portal'}`;

  /** The endpoint named in the URL, in an app this session may see. */
  async function target(request: FastifyRequest<{ Params: EpParams }>): Promise<Pick<Endpoint, 'appId' | 'id'>> {
    return { appId: (await kit.app(request, request.params.app)).id, id: request.params.ep };
  }

  async function loadEndpoint(request: FastifyRequest<{ Params: EpParams }>): Promise<{ app: App; endpoint: Endpoint }> {
    const app = await kit.app(request, request.params.app);
    return { app, endpoint: await getEndpoint(ctx, app.id, request.params.ep) };
  }

  ui.get<{ Params: { app: string }; Querystring: { after?: string; notice?: string } }>(
    '/ui/apps/:app',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const now = ctx.clock();
      const [endpoints, troubled, charts] = await Promise.all([
        store.listEndpoints(app.id, { limit: PAGE_SIZE, after: request.query.after || undefined }),
        store.troubledEndpoints(app.id, 20),
        chartsFor(kit, app.id),
      ]);
      const listings = await store.endpointListings(
        endpoints.data.map((ep) => ep.id),
        now - HEALTH_WINDOWS_MS['24h'],
      );
      const rows = endpoints.data.map((ep) => {
        const listing = listings[ep.id];
        const failingSince = listing?.failingSince ?? null;
        const day = healthWindow(listing?.attempts ?? 0, listing?.successes ?? 0, null, null);
        const last = listing?.lastAttempt ?? null;
        return html`<tr>
<td class="wrap"><a href="${endpointPath(ep)}">${ep.url}</a>${ep.description ? html`<br><span class="muted">${ep.description}</span>` : ''}</td>
<td>${stateBadges(ep, failingSince)}</td>
<td>${percent(day.successRate)} <span class="muted">of ${day.attempts}</span></td>
<td>${last ? html`${httpStatus(last.responseStatus, last.error)} <span class="muted">${when(last.startedAt)}</span>` : html`<span class="muted">never</span>`}</td>
</tr>`;
      });
      const admin = session.scope.kind === 'admin';
      const next = endpoints.nextCursor
        ? html`<a href="${appPath(app)}?after=${encodeURIComponent(endpoints.nextCursor)}">More endpoints →</a>`
        : '';
      const body = html`<p class="muted">App <code>${app.id}</code>${app.uid ? html` · uid <code>${app.uid}</code>` : ''} ·
<a href="${appPath(app)}/messages">Messages and deliveries</a></p>
${admin ? html`<form method="post" action="${appPath(app)}/portal-link" class="actions">${csrfField(session)}<button type="submit">Make a portal link for this app</button></form>` : ''}
<section aria-labelledby="troubled"><h2 id="troubled">Failing and disabled endpoints</h2>
<div id="region-troubled" data-region>${troubledTable(troubled, null)}</div></section>
<section aria-labelledby="endpoints"><h2 id="endpoints">Endpoints</h2>
<div class="table-wrap" id="region-endpoints" data-region><table><thead><tr><th>URL</th><th>State</th><th>Success (24 h)</th><th>Last attempt</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No endpoints yet: add one below.</td></tr>`}</tbody></table></div>
<p class="pager">${request.query.after ? html`<a href="${appPath(app)}">← First endpoints</a>` : ''}${next}</p></section>
<section aria-labelledby="traffic"><h2 id="traffic">Delivery attempts</h2><div id="region-charts" data-region>${charts}</div></section>
<h2 id="new-endpoint">Add an endpoint</h2>
<form method="post" action="${appPath(app)}/endpoints" class="grid-form" aria-labelledby="new-endpoint">${csrfField(session)}
${endpointFields(null)}
<div class="full"><button class="primary" type="submit">Add endpoint</button></div></form>
<h2 id="test-event">Send a test event</h2>
<form method="post" action="${appPath(app)}/test-event" class="grid-form" aria-labelledby="test-event">${csrfField(session)}
<label for="event-type">Event type</label><input id="event-type" name="type" required value="hookd.test" maxlength="256">
<label for="event-data">Data (JSON)</label><textarea id="event-data" name="data" required>{"hello": "world"}</textarea>
<p class="full muted">Every enabled endpoint subscribed to this type receives it, like any published event.</p>
<div class="full"><button type="submit">Send test event</button></div></form>`;
      const title = admin ? app.name : `${app.name}: endpoints`;
      return kit.send(
        reply,
        page({
          title,
          session,
          app,
          current: 'endpoints',
          live: `${appPath(app)}/live`,
          notice: noticeFor(request.query.notice),
          body,
        }),
      );
    },
  );

  /** A save refused for what was typed says why above the form, still holding what was typed, so nothing is lost. */
  function refusedSave(request: FastifyRequest, reply: FastifyReply, app: App, ep: Endpoint | null, error: unknown) {
    if (!(error instanceof ApiError) || (error.statusCode !== 400 && error.statusCode !== 422)) throw error;
    const session = kit.session(request);
    const form = request.body as EndpointForm;
    const body = html`<p><a href="${ep ? endpointPath(ep) : appPath(app)}">← Back${ep ? ' to the endpoint' : ''}</a></p>
<p class="notice error" role="alert" id="form-error">${error.message}</p>
<p class="muted">Error code <code>${error.code}</code> (HTTP ${error.statusCode}).</p>
<h2 id="refused-form">${ep ? 'Edit' : 'Add an endpoint'}</h2>
<form method="post" action="${ep ? `${endpointPath(ep)}/edit` : `${appPath(app)}/endpoints`}" class="grid-form" aria-labelledby="refused-form">${csrfField(session)}
${endpointFields(ep, form)}<div class="full"><button class="primary" type="submit">${ep ? 'Save' : 'Add endpoint'}</button></div></form>`;
    const title = ep ? `Endpoint ${ep.url}` : 'Add an endpoint';
    return kit.send(reply, page({ title, session, app, current: 'endpoints', body }), error.statusCode);
  }

  ui.post<{ Params: { app: string }; Body: EndpointForm }>('/ui/apps/:app/endpoints', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    try {
      const endpoint = await createEndpoint(ctx, kit.requester(request), app.id, formFields(request.body));
      return reply.redirect(`${endpointPath(endpoint)}?notice=created`, 303);
    } catch (error) {
      return refusedSave(request, reply, app, null, error);
    }
  });

  ui.get<{ Params: EpParams; Querystring: Notice }>('/ui/apps/:app/endpoints/:ep', async (request, reply) => {
    const session = kit.session(request);
    const { app, endpoint: ep } = await loadEndpoint(request);
    const now = ctx.clock();
    const [counts, health, recent, credentials, failedWhileDisabled] = await Promise.all([
      store.countDeliveriesByStatus(ep.id),
      store.endpointHealth(ep.id, now),
      store.listDeliveries(app.id, { endpointId: ep.id }, { limit: 20 }),
      store.endpointCredentials([ep.id]),
      countFailedWhileDisabled(ctx, ep),
    ]);
    const shownCredentials = credentialSummary(credentials.get(ep.id) ?? NO_CREDENTIALS);
    const windows = (['1h', '24h'] as const).map((name) => {
      const w = health.windows[name];
      return html`<div class="card"><h3>Last ${name === '1h' ? 'hour' : 'day'}</h3><p class="figure">${percent(w.successRate)}</p>
<p class="muted">${w.attempts} attempts · p50 ${w.latencyMs.p50 ?? '—'} ms · p95 ${w.latencyMs.p95 ?? '—'} ms</p></div>`;
    });
    const deliveries = recent.data.map(
      (d) => html`<tr><td>${statusBadge(d.status)}</td>
<td class="mono wrap"><a href="${appPath(app)}/messages/${encodeURIComponent(d.messageId)}#${d.id}">${d.messageId}</a></td>
<td>${d.attemptCount}</td><td>${when(d.updatedAt)}</td></tr>`,
    );
    const action = (path: string, label: string, extra: Html | string = '', confirm = '') =>
      html`<form method="post" action="${endpointPath(ep)}/${path}" class="inline"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(session)}${extra}<button type="submit">${label}</button></form>`;
    const body = html`<dl class="facts">
<dt>State</dt><dd id="endpoint-state">${stateFacts(ep, health.failingSince)}</dd>
<dt>Id</dt><dd class="mono">${ep.id}</dd>
<dt>Event types</dt><dd>${ep.events ? ep.events.join(', ') : 'every type'}</dd>
<dt>Filter</dt><dd id="endpoint-filter">${ep.filter ? html`<code>${JSON.stringify(ep.filter)}</code>` : 'none: every message of its types'}</dd>
<dt>Transformation</dt><dd id="endpoint-transformation">${ep.transformation ? html`set: see the edit form below` : 'none: messages are sent as published'}</dd>
<dt>Trace context</dt><dd>${ep.sendTraceContext ? html`sent (<code>traceparent</code>)` : 'not sent'}</dd>
<dt>Deliveries</dt><dd>${counts.pending} pending · ${counts.succeeded} succeeded · ${counts.failed} failed · ${counts.skipped} skipped</dd>
<dt>Authentication</dt><dd id="endpoint-auth">${authFacts(shownCredentials)}</dd>
</dl>
${signingKeyDetails(ep)}
<div class="actions">
${stateControls(ep, session, failedWhileDisabled)}
${action('rotate-secret', 'Rotate secret', '', 'Rotate the signing secret? The old one keeps signing beside it for the overlap.')}
</div>
<section aria-labelledby="health"><h2 id="health">Health</h2><div class="cards" id="region-health" data-region>${windows}</div></section>
<section aria-labelledby="recent"><h2 id="recent">Latest deliveries</h2>
<div class="table-wrap" id="region-deliveries" data-region><table><thead><tr><th>Status</th><th>Message</th><th>Attempts</th><th>Updated</th></tr></thead>
<tbody>${deliveries.length ? deliveries : html`<tr><td colspan="4" class="muted">No deliveries yet.</td></tr>`}</tbody></table></div></section>
<h2 id="replay">Replay failed deliveries</h2>
<form method="post" action="${endpointPath(ep)}/replay" class="grid-form" aria-labelledby="replay">${csrfField(session)}
<label for="replay-since">Created since (UTC)</label>
<input id="replay-since" name="since" type="datetime-local" required value="${utcInputValue(now - 86_400_000)}">
<div class="full"><button type="submit">Replay failed</button></div></form>
${credentialForms(ep, session, shownCredentials)}
${filterTestForm(ep, session)}
${transformationTryForm(ep, session)}
<h2 id="edit">Edit</h2>
<form method="post" action="${endpointPath(ep)}/edit" class="grid-form" aria-labelledby="edit">${csrfField(session)}
${endpointFields(ep)}<div class="full"><button class="primary" type="submit">Save</button></div></form>`;
    return kit.send(
      reply,
      page({
        title: `Endpoint ${ep.url}`,
        session,
        app,
        current: 'endpoints',
        live: `${appPath(app)}/live`,
        notice: noticeFor(request.query.notice, request.query.count),
        body,
      }),
    );
  });

  ui.post<{ Params: EpParams; Body: EndpointForm }>('/ui/apps/:app/endpoints/:ep/edit', async (request, reply) => {
    const { app, endpoint: ep } = await loadEndpoint(request);
    try {
      const endpoint = await updateEndpoint(
        ctx,
        kit.requester(request),
        app.id,
        ep.id,
        formFields(request.body),
        disabledBy(request),
      );
      return reply.redirect(`${endpointPath(endpoint)}?notice=saved`, 303);
    } catch (error) {
      return refusedSave(request, reply, app, ep, error);
    }
  });

  ui.post<{ Params: EpParams }>('/ui/apps/:app/endpoints/:ep/disable', async (request, reply) => {
    const endpoint = await target(request);
    await disableEndpoint(ctx, kit.requester(request), endpoint.appId, endpoint.id, disabledBy(request));
    return reply.redirect(`${endpointPath(endpoint)}?notice=disabled`, 303);
  });

  ui.post<{ Params: EpParams }>('/ui/apps/:app/endpoints/:ep/rotate-secret', async (request, reply) => {
    const { appId, id } = await target(request);
    const endpoint = await rotateEndpointSecret(ctx, kit.requester(request), appId, id);
    return reply.redirect(`${endpointPath(endpoint)}?notice=rotated`, 303);
  });

  ui.post<{ Params: EpParams; Body: { since?: string } }>('/ui/apps/:app/endpoints/:ep/replay', async (request, reply) => {
    const endpoint = await target(request);
    const since = parseUtcInput(request.body.since);
    if (since === undefined) throw new ApiError('validation_failed', 'Give the time to replay failed deliveries from.');
    await replayEndpoint(ctx, kit.requester(request), endpoint.appId, endpoint.id, { since, status: 'failed' });
    return reply.redirect(`${endpointPath(endpoint)}?notice=replayed`, 303);
  });

  ui.post<{ Params: { app: string }; Body: { type?: string; data?: string } }>(
    '/ui/apps/:app/test-event',
    async (request, reply) => {
      const app = await kit.app(request, request.params.app);
      let data: unknown;
      try {
        data = JSON.parse(request.body.data ?? '');
      } catch {
        throw new ApiError('invalid_json', 'The test event’s data is not valid JSON.');
      }
      await publishEvent(ctx, app.id, { type: (request.body.type ?? '').trim(), data });
      return reply.redirect(`${appPath(app)}/messages?notice=published`, 303);
    },
  );
}

/** The create (`ep` null) or edit form's fields, holding what was typed when a save was refused. */
function endpointFields(ep: Endpoint | null, typed?: EndpointForm): Html {
  const id = ep ? 'edit' : 'new';
  const scheme = typed?.signatureScheme ?? ep?.signatureScheme ?? 'standard';
  const traceContext = typed ? typed.sendTraceContext === 'on' : ep?.sendTraceContext;
  return html`<label for="${id}-url">URL</label>
<input id="${id}-url" name="url" type="url" required maxlength="2048" value="${typed?.url ?? ep?.url ?? ''}" placeholder="https://example.com/webhooks">
<label for="${id}-description">Description</label>
<input id="${id}-description" name="description" maxlength="1024" value="${typed?.description ?? ep?.description ?? ''}">
<label for="${id}-events">Event types</label>
<input id="${id}-events" name="events" value="${typed?.events ?? ep?.events?.join(', ') ?? ''}" placeholder="every type; or e.g. order.*, invoice.paid" aria-describedby="${id}-events-help">
<p class="full muted" id="${id}-events-help">Comma-separated names or <code>prefix.*</code> filters; empty for every type.</p>
${filterField(ep, typed?.filter)}
${transformationField(ep, typed?.transformation)}
<label for="${id}-scheme">Signature</label>
<select id="${id}-scheme" name="signatureScheme">${SIGNATURE_SCHEMES.map((option) => html`<option value="${option}"${scheme === option ? ' selected' : ''}>${SCHEME_LABELS[option]}</option>`)}</select>
<label class="full check"><input type="checkbox" name="sendTraceContext"${traceContext ? ' checked' : ''} aria-describedby="${id}-trace-help"> Send trace context (traceparent) with deliveries</label>
<p class="full muted" id="${id}-trace-help">Each attempt carries its W3C <code>traceparent</code> (and <code>tracestate</code>), so a receiver that traces joins the trace; it hands the receiver your trace ids. No effect while hookd exports no traces.</p>`;
}

/** What is set of the endpoint's credentials, never a secret. */
function authFacts({ auth, clientCertificate, secretHeaders }: CredentialSummary): Html {
  const parts: Html[] = [];
  if (auth?.type === 'basic') parts.push(html`HTTP Basic as <code>${auth.username}</code>`);
  if (auth?.type === 'oauth2') parts.push(html`OAuth 2.0 client <code>${auth.clientId}</code> at <code>${auth.tokenUrl}</code>`);
  if (clientCertificate)
    parts.push(
      html`client certificate <code>${clientCertificate.subject}</code> until ${clientCertificate.validTo.slice(0, 10)}`,
    );
  if (secretHeaders.length > 0) parts.push(html`secret headers ${secretHeaders.map((name) => html`<code>${name}</code> `)}`);
  return parts.length > 0 ? html`${parts.map((part, i) => html`${i > 0 ? ' · ' : ''}${part}`)}` : html`none (the signature only)`;
}

/** The key receivers verify with: an ed25519 endpoint shows its public key, never its secret key. */
function signingKeyDetails(ep: Endpoint): Html {
  const { secret, publicKey } = signingKeys(ep);
  if (publicKey !== null) {
    return html`<details><summary>Public key</summary><p class="muted">Receivers verify the <code>v1a</code> signatures in <code>webhook-signature</code> with it (Standard Webhooks, Ed25519); it cannot sign.</p>
<pre id="endpoint-public-key">${publicKey}</pre><button type="button" data-copy="endpoint-public-key">Copy public key</button></details>`;
  }
  return html`<details><summary>Signing secret</summary><p class="muted">Receivers verify the <code>webhook-signature</code> header with it (Standard Webhooks).</p>
<pre id="endpoint-secret">${secret}</pre><button type="button" data-copy="endpoint-secret">Copy secret</button></details>`;
}
