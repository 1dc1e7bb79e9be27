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
  replayEndpoint,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
} from '../actions/index.js';
import {
  type App,
  type CredentialSummary,
  credentialSummary,
  type Endpoint,
  HEALTH_WINDOWS_MS,
  type HealthWindow,
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
import { pager } from './pager.js';
import { region, watchKeys } from './regions.js';
import { credentialForms } from './screens-credentials.js';
import { stateControls } from './screens-endpoint-state.js';
import { eventTypeChoices } from './screens-event-types.js';
import { filterField, filterTestForm, parseFilterText } from './screens-filter.js';
import { transformationField, transformationText, transformationTryForm } from './screens-transformation.js';
import type { Session } from './session.js';
import { endpointState, errorMix, errorsOf, failingWhy, lastError } from './why-failing.js';

const PAGE_SIZE = 50;
type EpParams = { app: string; ep: string };
type EndpointForm = {
  url?: string;
  description?: string;
  events?: string;
  /** The registered types ticked in the picker: one value, or several. */
  eventType?: string | string[];
  filter?: string;
  transformation?: string;
  signatureScheme?: string;
  sendTraceContext?: string;
  /** Only on the add form: the new endpoint holds its deliveries until resumed. */
  paused?: string;
};

/** The form's fields as an action takes them: the filters are one comma- or space-separated text. */
const formFields = (form: EndpointForm) => ({
  url: (form.url ?? '').trim(),
  description: (form.description ?? '').slice(0, 1024),
  // The types ticked in the picker, then any other name or `prefix.*` typed beside them.
  events: [
    ...new Set([
      ...ticked(form),
      ...(form.events ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ]),
  ],
  // The textarea shows the saved filter: emptied, it removes it.
  filter: parseFilterText(form.filter),
  // Likewise the code: emptied, it removes the transformation; code that does not compile is `transformation_invalid`.
  transformation: transformationText(form.transformation),
  // An unchecked box is left out of the form: the setting is off.
  sendTraceContext: form.sendTraceContext === 'on',
  // An unknown value is left to the action, which keeps the endpoint's scheme (or the default) for a missing one.
  signatureScheme: SIGNATURE_SCHEMES.find((scheme) => scheme === form.signatureScheme),
});

const ticked = (form: EndpointForm): string[] =>
  form.eventType === undefined ? [] : Array.isArray(form.eventType) ? form.eventType : [form.eventType];

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

  ui.get<{ Params: { app: string }; Querystring: { after?: string; trail?: string; notice?: string; count?: string } }>(
    '/ui/apps/:app',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const now = ctx.clock();
      const [endpoints, troubled, charts, types] = await Promise.all([
        store.listEndpoints(app.id, { limit: PAGE_SIZE, after: request.query.after || undefined }),
        store.troubledEndpoints(app.id, 20),
        chartsFor(kit, app.id),
        eventTypeChoices(kit),
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
        return html`<tr id="row-${ep.id}">
<td class="wrap" data-label="URL"><a href="${endpointPath(ep)}">${ep.url}</a>${ep.description ? html`<br><span class="muted">${ep.description}</span>` : ''}</td>
<td data-label="State">${endpointState(ep, failingSince, listing?.failingAlertedAt ?? null)}${ep.disabledAt !== null ? html`<br><span class="muted">${ep.disabledReason}</span>` : ''}</td>
<td data-label="Success (24 h)">${percent(day.successRate)} <span class="muted">of ${day.attempts}</span></td>
<td data-label="Last attempt">${last ? html`${httpStatus(last.responseStatus, last.error)} <span class="muted">${when(last.startedAt)}</span>` : html`<span class="muted">never</span>`}</td>
</tr>`;
      });
      const admin = session.scope.kind === 'admin';
      const body = html`<p class="muted">App <code>${app.id}</code>${app.uid ? html` · uid <code>${app.uid}</code>` : ''} ·
<a href="${appPath(app)}/messages">Messages and deliveries</a></p>
${admin ? html`<form method="post" action="${appPath(app)}/portal-link" class="actions">${csrfField(session)}<button type="submit">Make a portal link for this app</button></form>` : ''}
<section aria-labelledby="troubled"><h2 id="troubled">Failing and disabled endpoints</h2>
${region('region-troubled', [watchKeys.anyAttempt], await troubledTable(kit, troubled, null))}</section>
<section aria-labelledby="endpoints"><h2 id="endpoints">Endpoints</h2>
${region(
  'region-endpoints',
  endpoints.data.map((ep) => watchKeys.endpoint(ep.id)),
  html`<table><thead><tr><th>URL</th><th>State</th><th>Success (24 h)</th><th>Last attempt</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4" class="muted">No endpoints yet: add one below.</td></tr>`}</tbody></table>`,
  'table-wrap',
)}
${pager(appPath(app), new URLSearchParams(), request.query, endpoints.nextCursor, { next: 'More endpoints →', first: 'First endpoints' })}</section>
<section aria-labelledby="traffic"><h2 id="traffic">Delivery attempts</h2>${region('region-charts', [watchKeys.anyAttempt], charts)}</section>
<h2 id="new-endpoint">Add an endpoint</h2>
<form method="post" action="${appPath(app)}/endpoints" class="grid-form" aria-labelledby="new-endpoint">${csrfField(session)}
${endpointFields(null, types)}
<div class="full"><button class="primary" type="submit">Add endpoint</button></div></form>
${testEventForm(app, session, endpoints.data)}`;
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
  async function refusedSave(request: FastifyRequest, reply: FastifyReply, app: App, ep: Endpoint | null, error: unknown) {
    if (!(error instanceof ApiError) || (error.statusCode !== 400 && error.statusCode !== 422)) throw error;
    const types = await eventTypeChoices(kit);
    const session = kit.session(request);
    const form = request.body as EndpointForm;
    const body = html`<p><a href="${ep ? endpointPath(ep) : appPath(app)}">← Back${ep ? ' to the endpoint' : ''}</a></p>
<p class="notice error" role="alert" id="form-error">${error.message}</p>
<p class="muted">Error code <code>${error.code}</code> (HTTP ${error.statusCode}).</p>
<h2 id="refused-form">${ep ? 'Edit' : 'Add an endpoint'}</h2>
<form method="post" action="${ep ? `${endpointPath(ep)}/edit` : `${appPath(app)}/endpoints`}" class="grid-form" aria-labelledby="refused-form">${csrfField(session)}
${endpointFields(ep, types, form)}<div class="full"><button class="primary" type="submit">${ep ? 'Save' : 'Add endpoint'}</button></div></form>`;
    const title = ep ? `Endpoint ${ep.url}` : 'Add an endpoint';
    return kit.send(reply, page({ title, session, app, current: 'endpoints', body }), error.statusCode);
  }

  ui.post<{ Params: { app: string }; Body: EndpointForm }>('/ui/apps/:app/endpoints', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    try {
      const fields = { ...formFields(request.body), paused: request.body.paused === 'on' };
      const endpoint = await createEndpoint(ctx, kit.requester(request), app.id, fields);
      return reply.redirect(`${endpointPath(endpoint)}?notice=created`, 303);
    } catch (error) {
      return refusedSave(request, reply, app, null, error);
    }
  });

  ui.get<{ Params: EpParams; Querystring: { notice?: string; count?: string } }>(
    '/ui/apps/:app/endpoints/:ep',
    async (request, reply) => showEndpoint(request, reply, noticeFor(request.query.notice, request.query.count), null),
  );

  /**
   * The endpoint's page; `refused` puts an action's error next to its form (replay), in the page with its navigation,
   * answered with the error's status.
   */
  async function showEndpoint(
    request: FastifyRequest<{ Params: EpParams }>,
    reply: FastifyReply,
    notice: { text: string; error?: boolean } | null,
    refused: { form: 'replay'; error: ApiError } | null,
  ) {
    const session = kit.session(request);
    const { app, endpoint: ep } = await loadEndpoint(request);
    const now = ctx.clock();
    const [counts, health, recent, credentials, errors, types, failedWhileDisabled] = await Promise.all([
      store.countDeliveriesByStatus(ep.id),
      store.endpointHealth(ep.id, now),
      store.listDeliveries(app.id, { endpointId: ep.id }, { limit: 20 }),
      store.endpointCredentials([ep.id]),
      errorsOf(kit, [ep.id]),
      eventTypeChoices(kit),
      countFailedWhileDisabled(ctx, ep),
    ]);
    const why = errors[ep.id];
    const failingAlertedAt = why?.failingAlertedAt ?? null;
    const shownCredentials = credentialSummary(credentials.get(ep.id) ?? NO_CREDENTIALS);
    const windows = (['1h', '24h'] as const).map((name) => {
      const w = health.windows[name];
      return html`<div class="card"><h3>Last ${name === '1h' ? 'hour' : 'day'}</h3><p class="figure">${percent(w.successRate)}</p>
<p class="muted">${latencyLine(w, name === '1h' ? errorMix(why?.mix ?? []) : null)}</p></div>`;
    });
    const deliveries = recent.data.map(
      (d) => html`<tr id="row-${d.id}"><td data-label="Status">${statusBadge(d.status)}</td>
<td class="mono wrap" data-label="Message"><a href="${appPath(app)}/messages/${encodeURIComponent(d.messageId)}#${d.id}">${d.messageId}</a></td>
<td data-label="Attempts">${d.attemptCount}</td><td data-label="Updated">${when(d.updatedAt)}</td></tr>`,
    );
    const watch = [watchKeys.endpoint(ep.id)];
    const action = (path: string, label: string, extra: Html | string = '', confirm = '') =>
      html`<form method="post" action="${endpointPath(ep)}/${path}" class="inline"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(session)}${extra}<button type="submit"${path === 'disable' ? html` class="danger"` : ''}>${label}</button></form>`;
    const facts = html`<dl class="facts">
<dt>State</dt><dd id="endpoint-state">${endpointState(ep, health.failingSince, failingAlertedAt)} ${ep.disabledAt !== null ? html`${ep.disabledReason} (${when(ep.disabledAt)})` : failingWhy(health.failingSince, failingAlertedAt, ctx.config.ops.failingThreshold)}${ep.pausedAt !== null ? html`<br>paused since ${when(ep.pausedAt)}: deliveries held, not attempted` : ''}</dd>
<dt>Last error</dt><dd id="last-error">${lastError(why?.lastError ?? null)}</dd>
<dt>Errors, last hour</dt><dd id="error-mix">${errorMix(why?.mix ?? [])} · <a href="${endpointPath(ep)}/attempts">Attempts log</a></dd>
<dt>Id</dt><dd class="mono">${ep.id}</dd>
<dt>Event types</dt><dd>${ep.events ? ep.events.join(', ') : 'every type'}</dd>
<dt>Filter</dt><dd id="endpoint-filter">${ep.filter ? html`<code>${JSON.stringify(ep.filter)}</code>` : 'none: every message of its types'}</dd>
<dt>Transformation</dt><dd id="endpoint-transformation">${ep.transformation ? html`set: see the edit form below` : 'none: messages are sent as published'}</dd>
<dt>Trace context</dt><dd>${ep.sendTraceContext ? html`sent (<code>traceparent</code>)` : 'not sent'}</dd>
<dt>Deliveries</dt><dd>${counts.pending} pending · ${counts.succeeded} succeeded · ${counts.failed} failed · ${counts.skipped} skipped</dd>
<dt>Authentication</dt><dd id="endpoint-auth">${authFacts(shownCredentials)}</dd>
</dl>`;
    const body = html`${region('region-facts', watch, facts)}
${signingKeyDetails(ep)}
<div class="actions">
${stateControls(ep, session, failedWhileDisabled)}
${action('rotate-secret', 'Rotate secret', '', 'Rotate the signing secret? The old one keeps signing beside it for the overlap.')}
</div>
<section aria-labelledby="health"><h2 id="health">Health</h2>${region('region-health', watch, html`${windows}`, 'cards')}</section>
<section aria-labelledby="recent"><h2 id="recent">Latest deliveries</h2>
${region(
  'region-deliveries',
  watch,
  html`<table><thead><tr><th>Status</th><th>Message</th><th>Attempts</th><th>Updated</th></tr></thead>
<tbody>${deliveries.length ? deliveries : html`<tr><td colspan="4" class="muted">No deliveries yet.</td></tr>`}</tbody></table>`,
  'table-wrap',
)}</section>
<h2 id="replay">Replay failed deliveries</h2>
${refused?.form === 'replay' ? formError(refused.error, 'replay-error') : ''}
${
  ep.disabledAt !== null
    ? html`<p class="muted" id="replay-disabled">The endpoint is disabled: enable it first, then replay what failed.</p>`
    : html`<form method="post" action="${endpointPath(ep)}/replay" class="grid-form" aria-labelledby="replay"${refused?.form === 'replay' ? html` aria-describedby="replay-error"` : ''}>${csrfField(session)}
<label for="replay-since">Created since (UTC)</label>
<input id="replay-since" name="since" type="datetime-local" required value="${utcInputValue(now - 86_400_000)}">
<div class="full"><button type="submit">Replay failed</button></div></form>
<p><a id="recover-link" href="${appPath(app)}/recover?endpoint=${encodeURIComponent(ep.id)}">Recover failed deliveries by type, time or error…</a></p>`
}
${credentialForms(ep, session, shownCredentials)}
${filterTestForm(ep, session)}
${transformationTryForm(ep, session)}
<h2 id="edit">Edit</h2>
<form method="post" action="${endpointPath(ep)}/edit" class="grid-form" aria-labelledby="edit">${csrfField(session)}
${endpointFields(ep, types)}<div class="full"><button class="primary" type="submit">Save</button></div></form>`;
    return kit.send(
      reply,
      page({ title: `Endpoint ${ep.url}`, session, app, current: 'endpoints', live: `${appPath(app)}/live`, notice, body }),
      refused ? refused.error.statusCode : 200,
    );
  }

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
    try {
      const since = parseUtcInput(request.body.since);
      if (since === undefined) throw new ApiError('validation_failed', 'Give the time to replay failed deliveries from.');
      const queued = await replayEndpoint(ctx, kit.requester(request), endpoint.appId, endpoint.id, { since, status: 'failed' });
      return reply.redirect(`${endpointPath(endpoint)}?notice=replayed&count=${queued}`, 303);
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
      return showEndpoint(request, reply, null, { form: 'replay', error });
    }
  });

  ui.post<{ Params: { app: string }; Body: { type?: string; data?: string; endpoint?: string } }>(
    '/ui/apps/:app/test-event',
    async (request, reply) => {
      const app = await kit.app(request, request.params.app);
      let data: unknown;
      try {
        data = JSON.parse(request.body.data ?? '');
      } catch {
        throw new ApiError('invalid_json', 'The test event’s data is not valid JSON.');
      }
      const endpointId = request.body.endpoint ?? '';
      if (!endpointId) throw new ApiError('validation_failed', 'Choose the endpoint the test event goes to.');
      const { message } = await sendTestEvent(ctx, app.id, endpointId, { type: (request.body.type ?? '').trim(), data });
      return reply.redirect(`${appPath(app)}/messages/${encodeURIComponent(message.id)}?notice=tested`, 303);
    },
  );
}

/** A health card's second line: counts and latency, or, when nothing answered, what happened instead. */
function latencyLine(w: HealthWindow, mix: Html | null): Html {
  if (w.attempts === 0) return html`no attempts`;
  if (w.latencyMs.p50 === null) {
    return html`${w.attempts} attempts, none answered${mix ? html`: ${mix}` : ' (timeouts or network errors)'}`;
  }
  return html`${w.attempts} attempts · p50 ${w.latencyMs.p50} ms · p95 ${w.latencyMs.p95} ms`;
}

/** The create (`ep` null) or edit form's fields, holding what was typed when a save was refused. */
function endpointFields(ep: Endpoint | null, types: readonly string[], typed?: EndpointForm): Html {
  const id = ep ? 'edit' : 'new';
  const chosen = new Set(typed ? ticked(typed) : (ep?.events ?? []));
  // The text field holds what the picker cannot: filters (`order.*`) and names not registered.
  const others = typed ? (typed.events ?? '') : (ep?.events ?? []).filter((name) => !types.includes(name)).join(', ');
  const scheme = typed?.signatureScheme ?? ep?.signatureScheme ?? 'standard';
  const traceContext = typed ? typed.sendTraceContext === 'on' : ep?.sendTraceContext;
  return html`<label for="${id}-url">URL</label>
<input id="${id}-url" name="url" type="url" required maxlength="2048" value="${typed?.url ?? ep?.url ?? ''}" placeholder="https://example.com/webhooks">
<label for="${id}-description">Description</label>
<input id="${id}-description" name="description" maxlength="1024" value="${typed?.description ?? ep?.description ?? ''}">
${
  types.length > 0
    ? html`<fieldset class="full type-picker" id="${id}-picker"><legend>Event types (registered)</legend>${types.map(
        (name) =>
          html`<label class="check"><input type="checkbox" name="eventType" value="${name}"${chosen.has(name) ? ' checked' : ''}> <code>${name}</code></label> `,
      )}</fieldset>`
    : ''
}
<label for="${id}-events">${types.length > 0 ? 'Other event types' : 'Event types'}</label>
<input id="${id}-events" name="events" value="${others}" placeholder="${types.length > 0 ? 'e.g. order.* or an unregistered name' : 'every type; or e.g. order.*, invoice.paid'}" aria-describedby="${id}-events-help">
<p class="full muted" id="${id}-events-help">${types.length > 0 ? 'Tick types above, and/or type' : 'Type'} comma-separated names or <code>prefix.*</code> filters; nothing at all for every type. <a href="/ui/event-types">The catalog</a> shows each type’s schema.</p>
${filterField(ep, typed?.filter)}
${transformationField(ep, typed?.transformation)}
<label for="${id}-scheme">Signature</label>
<select id="${id}-scheme" name="signatureScheme">${SIGNATURE_SCHEMES.map((option) => html`<option value="${option}"${scheme === option ? ' selected' : ''}>${SCHEME_LABELS[option]}</option>`)}</select>
<label class="full check"><input type="checkbox" name="sendTraceContext"${traceContext ? ' checked' : ''} aria-describedby="${id}-trace-help"> Send trace context (traceparent) with deliveries</label>
<p class="full muted" id="${id}-trace-help">Each attempt carries its W3C <code>traceparent</code> (and <code>tracestate</code>), so a receiver that traces joins the trace; it hands the receiver your trace ids. No effect while hookd exports no traces.</p>${
    ep
      ? ''
      : html`
<label class="full check"><input type="checkbox" name="paused"${typed?.paused === 'on' ? ' checked' : ''}> Create it paused: hold its deliveries until it is resumed</label>`
  }`;
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

/** "Send test" to one endpoint chosen here (disabled ones cannot be chosen): a test is never fanned out. */
function testEventForm(app: App, session: Session, endpoints: readonly Endpoint[], chosen?: string): Html {
  const enabled = endpoints.filter((ep) => ep.disabledAt === null);
  if (enabled.length === 0) {
    return html`<h2 id="test-event">Send a test event</h2><p class="muted">Add an enabled endpoint to send it a test event.</p>`;
  }
  return html`<h2 id="test-event">Send a test event</h2>
<form method="post" action="${appPath(app)}/test-event" class="grid-form" aria-labelledby="test-event">${csrfField(session)}
<label for="test-endpoint">Endpoint</label><select id="test-endpoint" name="endpoint" required>${enabled.map(
    (ep) => html`<option value="${ep.id}"${ep.id === chosen ? ' selected' : ''}>${ep.url}</option>`,
  )}</select>
<label for="event-type">Event type</label><input id="event-type" name="type" required value="hookd.test" maxlength="256">
<label for="event-data">Data (JSON)</label><textarea id="event-data" name="data" required>{"hello": "world"}</textarea>
<p class="full muted">Only the endpoint chosen receives it, whatever it subscribes to; its body says <code>"test": true</code>.</p>
<div class="full"><button type="submit">Send test event</button></div></form>`;
}

/** An action's refusal, shown next to its form: what went wrong and the code to look up. */
function formError(error: ApiError, id: string): Html {
  return html`<div class="notice error" role="alert" id="${id}"><p>${error.message}</p>
<p class="muted">Error code <code>${error.code}</code> (HTTP ${error.statusCode}).</p></div>`;
}
