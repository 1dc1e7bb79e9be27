/**
 * The dashboard and app portal under /ui: server-rendered pages, one form POST per action. This file holds what every
 * screen shares: form parsing, security headers, sessions, the CSRF check, scope checks and the error page.
 */
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getApp, PORTAL_PATH, signingKey } from '../actions/index.js';
import { ApiError, ERRORS, type ErrorCode, guardStream, hashToken, toApiError } from '../api/index.js';
import { auditEntry, sameText } from '../domain/index.js';
import { CSS, JS } from './assets.js';
import { type Html, html } from './html.js';
import type { UiContext, UiKit } from './kit.js';
import { page } from './layout.js';
import { liveRoutes } from './live.js';
import { BRAND_PATH, PORTAL_ENDED_PATH, portalRoutes } from './portal.js';
import { ADMIN_CSP, portalCsp } from './portal-pages.js';
import { REGIONS_HEADER, regionsOf } from './regions.js';
import { attemptScreens } from './screens-attempts.js';
import { auditScreens } from './screens-audit.js';
import { credentialRoutes } from './screens-credentials.js';
import { endpointStateScreens } from './screens-endpoint-state.js';
import { endpointScreens } from './screens-endpoints.js';
import { eventTypeScreens } from './screens-event-types.js';
import { filterScreens } from './screens-filter.js';
import { messageScreens } from './screens-messages.js';
import { overviewScreens } from './screens-overview.js';
import { recoveryScreens } from './screens-recoveries.js';
import { sourceScreens } from './screens-sources.js';
import { transformationScreens } from './screens-transformation.js';
import { ADMIN_SESSION_MS, type Session, sessionCookies } from './session.js';

const PUBLIC = new Set(['/ui/sign-in', PORTAL_PATH, PORTAL_ENDED_PATH, '/ui/assets/app.css', '/ui/assets/app.js']);
/** Pages of the portal that no session is needed for: they answer with the portal's CSP. */
const PORTAL_PUBLIC = new Set([PORTAL_PATH, PORTAL_ENDED_PATH]);
const sessions = new WeakMap<FastifyRequest, Session>();

export async function registerUi(api: FastifyInstance, ctx: UiContext): Promise<void> {
  // Made at first start, in the store, so every process signs and checks portal links with the same random key.
  await signingKey(ctx.store);
  await endAdminSessionsIfTokenChanged(ctx);
  const frameAncestors = ctx.config.portalFrameAncestors;
  const cookies = sessionCookies(ctx.store, ctx.clock, frameAncestors !== "'none'");
  const kit: UiKit = {
    ctx,
    cookies,
    session(request) {
      const session = sessions.get(request);
      if (!session) throw new ApiError('unauthorized');
      return session;
    },
    requester(request) {
      const { scope } = kit.session(request);
      return {
        actor: scope.kind === 'admin' ? 'dashboard' : `portal:${scope.appId}`,
        address: request.ip,
        requestId: request.id,
      };
    },
    async app(request, idOrUid) {
      const app = await getApp(ctx, idOrUid);
      const { scope } = kit.session(request);
      if (scope.kind === 'app' && scope.appId !== app.id) throw new ApiError('app_not_found');
      return app;
    },
    requireAdmin(request) {
      if (kit.session(request).scope.kind !== 'admin') throw new ApiError('route_not_found');
    },
    send(reply, body, status = 200) {
      // The live script asks for the regions an event concerns: only their markup goes back, not the whole page.
      const regions = status === 200 ? reply.request.headers[REGIONS_HEADER] : undefined;
      const text = typeof regions === 'string' ? regionsOf(body.text, regions) : body.text;
      return reply.code(status).type('text/html; charset=utf-8').send(text);
    },
  };

  await api.register(async (ui) => {
    // Pages for people, not API operations: kept out of /openapi.json.
    ui.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    ui.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_request, body, done) => done(null, formFields(body as string)),
    );
    ui.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', ADMIN_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-store');
    });
    ui.addHook('preHandler', async (request, reply) => {
      const path = request.url.split('?')[0] as string;
      if (PORTAL_PUBLIC.has(path)) reply.header('content-security-policy', portalCsp(frameAncestors, null));
      if (PUBLIC.has(path) || path.startsWith(BRAND_PATH)) return;
      const session = await cookies.read(request);
      if (!session) {
        // A portal customer whose session ended gets the portal's page, never the admin's sign-in.
        const portal = cookies.lastPortalApp(request) !== null;
        if (request.method === 'GET') return reply.redirect(portal ? `${PORTAL_ENDED_PATH}?why=expired` : '/ui/sign-in', 303);
        throw new ApiError('unauthorized', 'Sign in first: this session is missing or has expired.');
      }
      if (session.scope.kind === 'app') {
        const app = await ctx.store.findApp(session.scope.appId);
        reply.header('content-security-policy', portalCsp(frameAncestors, app?.portalBranding ?? null));
      }
      if (request.method === 'POST' && !cookies.csrfMatches(session, (request.body as { _csrf?: unknown } | null)?._csrf)) {
        throw new ApiError('csrf_invalid');
      }
      sessions.set(request, session);
      // The live view's stream checks the session again every few seconds, and ends when it is signed out or revoked.
      guardStream(request, { stillAllowed: () => cookies.stillValid(session), intervalMs: ctx.accessRecheckMs });
    });
    ui.setErrorHandler((error: FastifyError, request, reply) => {
      // Fastify's own refusals (a text/plain or multipart body: 415) keep their 4xx code, as in the API.
      const { code, message } =
        error instanceof ApiError || error.validation
          ? { code: error instanceof ApiError ? error.code : ('validation_failed' as const), message: error.message }
          : toApiError(error);
      if (ERRORS[code][0] >= 500) request.log.error({ err: error, url: request.url }, 'dashboard request failed');
      return errorPage(kit, request, reply, code, message);
    });

    ui.get('/ui/assets/app.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CSS));
    ui.get('/ui/assets/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(JS));

    ui.get('/ui/sign-in', async (request, reply) => {
      if (await cookies.read(request)) return reply.redirect('/ui', 303);
      return kit.send(reply, signInPage(false));
    });
    ui.post<{ Body: { token?: string } }>('/ui/sign-in', async (request, reply) => {
      // Signing in comes from this origin's own form; a cross-site POST is refused even before the token is checked.
      if (request.headers['sec-fetch-site'] === 'cross-site') throw new ApiError('csrf_invalid');
      ctx.authLimiter.check(request.ip);
      const offered = request.body?.token ?? '';
      const now = ctx.clock();
      const facts = { appId: null, target: 'dashboard' };
      if (!sameText(hashToken(offered).toString('hex'), ctx.adminTokenHash.toString('hex'))) {
        ctx.authLimiter.failed(request.ip);
        const who = { actor: 'anonymous', address: request.ip, requestId: request.id };
        await ctx.store.appendAudit(auditEntry(who, { ...facts, action: 'session.sign_in_failed' }, now));
        return kit.send(reply, signInPage(true), 401);
      }
      await cookies.replace(request); // a session this browser held before ends with the new sign-in
      const who = { actor: 'dashboard', address: request.ip, requestId: request.id };
      const audit = auditEntry(who, { ...facts, action: 'session.signed_in' }, now);
      await cookies.start(request, reply, { kind: 'admin' }, now + ADMIN_SESSION_MS, null, audit);
      return reply.redirect('/ui', 303);
    });
    ui.post('/ui/sign-out', async (request, reply) => {
      const { scope } = kit.session(request);
      const facts = scope.kind === 'app' ? { appId: scope.appId, target: scope.appId } : { appId: null, target: 'dashboard' };
      const audit = auditEntry(kit.requester(request), { ...facts, action: 'session.signed_out' }, ctx.clock());
      await cookies.end(request, reply, scope.kind === 'app', audit);
      return reply.redirect(scope.kind === 'app' ? `${PORTAL_ENDED_PATH}?why=signed-out` : '/ui/sign-in', 303);
    });
    portalRoutes(ui, kit);

    overviewScreens(ui, kit);
    auditScreens(ui, kit);
    sourceScreens(ui, kit);
    eventTypeScreens(ui, kit);
    endpointScreens(ui, kit);
    attemptScreens(ui, kit);
    recoveryScreens(ui, kit);
    endpointStateScreens(ui, kit);
    filterScreens(ui, kit);
    transformationScreens(ui, kit);
    credentialRoutes(ui, kit);
    messageScreens(ui, kit);
    liveRoutes(ui, kit);
    // Any other address under /ui (a mistyped or stale link) gets a page, not the API's JSON.
    ui.get('/ui/*', async (request) => {
      throw new ApiError('route_not_found', `There is no page at ${request.url.split('?')[0]}.`);
    });
  });
}

const ADMIN_FINGERPRINT = 'admin_token_fingerprint';

/**
 * Admin sessions belong to the admin token they were opened with: when hookd starts with another token, they end.
 * The store keeps 64 bits of a hash of the token's hash, enough to notice a change and too few to check a guess.
 */
async function endAdminSessionsIfTokenChanged(ctx: UiContext): Promise<void> {
  const fingerprint = createHash('sha256')
    .update('hookd admin fingerprint\0')
    .update(ctx.adminTokenHash)
    .digest('hex')
    .slice(0, 16);
  const kept = await ctx.store.readSetting(ADMIN_FINGERPRINT);
  if (kept === fingerprint) return;
  if (kept !== null) await ctx.store.endAdminUiSessions();
  await ctx.store.swapSetting(ADMIN_FINGERPRINT, kept, fingerprint);
}

function signInPage(failed: boolean): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · hookd</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/app.css"></head>
<body><main id="main" class="signin">
<h1>hookd</h1>
${failed ? html`<p class="notice error" role="alert">That is not the admin token.</p>` : ''}
<form method="post" action="/ui/sign-in">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button class="primary" type="submit">Sign in</button>
<p class="muted">The token is <code>HOOKD_ADMIN_TOKEN</code>, or the one hookd generated in its data folder.</p>
</form></main></body></html>`;
}

/** Errors answer as a page, or as the API's JSON error when the client asks for JSON. */
async function errorPage(kit: UiKit, request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string) {
  const status = ERRORS[code][0];
  if ((request.headers.accept ?? '').includes('application/json') && !(request.headers.accept ?? '').includes('text/html')) {
    return reply.code(status).send({ error: { code, message } });
  }
  const session = sessions.get(request) ?? null;
  // The app in the URL, when this session may see it: its navigation stays, and "back" goes to the page the form was on.
  const appKey = (request.params as { app?: unknown } | undefined)?.app;
  const app = session && typeof appKey === 'string' ? await kit.app(request, appKey).catch(() => undefined) : undefined;
  const path = request.url.split('?')[0] as string;
  const back =
    request.method === 'POST' && app
      ? { href: formPageOf(path, app.id), label: 'Back to the form' }
      : app
        ? { href: `/ui/apps/${encodeURIComponent(app.id)}`, label: `Back to ${app.name}` }
        : session
          ? { href: '/ui', label: 'Back to the dashboard' }
          : { href: '/ui/sign-in', label: 'Sign in' };
  const body = html`<p class="notice error" role="alert">${message}</p>
<p class="muted">Error code <code>${code}</code> (HTTP ${status}).</p>
<p><a href="${back.href}">${back.label}</a></p>`;
  return kit.send(reply, page({ title: status === 404 ? 'Not found' : 'Something went wrong', session, app, body }), status);
}

/** The page a form posting to `path` is on: the action's path without its last step (a retry's is the messages page). */
function formPageOf(path: string, appId: string): string {
  const parent = path.slice(0, path.lastIndexOf('/'));
  return parent.includes('/deliveries/') ? `/ui/apps/${encodeURIComponent(appId)}/messages` : parent;
}

/** A form body's fields; a name given more than once (checkboxes) becomes the list of its values. */
function formFields(body: string): Record<string, string | string[]> {
  // No prototype: a field named __proto__ is a field like any other.
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = fields[name];
    fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return fields;
}
