/**
 * Opening a portal link: it starts a session scoped to one app. A link never switches a browser's session silently:
 * when the browser holds a session for another identity, or the link was followed from another site (whose request
 * carries no SameSite=Strict cookie, so hookd cannot see what it would replace), hookd asks first with a form that
 * only this origin can submit.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, PORTAL_PATH, readPortalLink } from '../actions/index.js';
import { auditEntry, type PortalClaims, sameText } from '../domain/index.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { appPath } from './layout.js';
import { brandCss, type PortalEnd, portalCsp, portalEndedPage } from './portal-pages.js';
import { cookieAttributes, cookieValue } from './session.js';

/** Where a portal customer lands when the portal cannot open: signed out, session over, or a link that fails. */
export const PORTAL_ENDED_PATH = '/ui/portal/ended';
/** `/ui/brand/{app id}.css`: an app's accent colour, as a stylesheet (the CSP allows no inline style). */
export const BRAND_PATH = '/ui/brand/';

/** A double-submit cookie for the confirmation form: a page without a session has no session-bound CSRF token. */
const CONFIRM_COOKIE = 'hookd_portal_confirm';
const CONFIRM_MS = 10 * 60_000;

export function portalRoutes(ui: FastifyInstance, kit: UiKit): void {
  const { ctx, cookies } = kit;

  async function validLink(request: FastifyRequest, token: string): Promise<PortalClaims> {
    ctx.authLimiter.check(request.ip);
    const claims = await readPortalLink(ctx, token);
    if (!claims) {
      ctx.authLimiter.failed(request.ip);
      throw new ApiError('portal_link_invalid');
    }
    return claims;
  }

  async function open(request: FastifyRequest, reply: FastifyReply, claims: PortalClaims) {
    const app = await ctx.store.findApp(claims.appId);
    if (!app) throw new ApiError('app_not_found');
    await cookies.replace(request); // the session this replaces ends on the server too
    const who = { actor: `portal:${app.id}`, address: request.ip, requestId: request.id };
    const facts = { action: 'session.portal_opened', appId: app.id, target: claims.tokenId ?? app.id };
    const audit = auditEntry(who, facts, ctx.clock());
    await cookies.start(request, reply, { kind: 'app', appId: app.id }, claims.exp, claims.tokenId ?? null, audit);
    return reply.redirect(appPath(app), 303);
  }

  /** The app of the portal this browser last had open, if it still exists. */
  async function lastApp(request: FastifyRequest) {
    const id = cookies.lastPortalApp(request);
    return id ? await ctx.store.findApp(id) : null;
  }

  async function ended(request: FastifyRequest, reply: FastifyReply, why: PortalEnd, status = 200) {
    const app = await lastApp(request);
    reply.header('content-security-policy', portalCsp(ctx.config.portalFrameAncestors, app?.portalBranding ?? null));
    return kit.send(reply, portalEndedPage(why, app), status);
  }

  ui.get<{ Querystring: { why?: string } }>(PORTAL_ENDED_PATH, async (request, reply) => {
    const why = request.query.why === 'signed-out' || request.query.why === 'link' ? request.query.why : 'expired';
    return ended(request, reply, why);
  });

  ui.get<{ Params: { file: string } }>(`${BRAND_PATH}:file`, async (request, reply) => {
    const id = /^([A-Za-z0-9_]{1,64})\.css$/.exec(request.params.file)?.[1];
    const app = id ? await ctx.store.findApp(id) : null;
    return reply.type('text/css; charset=utf-8').send(brandCss(app?.portalBranding ?? null));
  });

  ui.get<{ Querystring: { token?: string } }>(PORTAL_PATH, async (request, reply) => {
    const token = request.query.token ?? '';
    let claims: PortalClaims;
    try {
      claims = await validLink(request, token);
    } catch (error) {
      // An expired or broken link is the customer's dead end: the portal's page, not the admin's error page.
      if (error instanceof ApiError && error.code === 'portal_link_invalid') return ended(request, reply, 'link', 401);
      throw error;
    }
    const current = await cookies.read(request);
    const sameIdentity = current?.scope.kind === 'app' && current.scope.appId === claims.appId;
    const crossSite = isCrossSite(request);
    if (!crossSite && (current === null || sameIdentity)) return open(request, reply, claims);

    const app = await ctx.store.findApp(claims.appId);
    if (!app) throw new ApiError('app_not_found');
    const csrf = randomBytes(24).toString('base64url');
    // In a frame on the operator's site, a Strict cookie would not come back with the confirmation.
    const attributes = cookieAttributes(request, cookies.embedPortal);
    reply.header('set-cookie', `${CONFIRM_COOKIE}=${csrf}; Path=${PORTAL_PATH}; Max-Age=${CONFIRM_MS / 1000}; ${attributes}`);
    const replaces = current
      ? current.scope.kind === 'admin'
        ? 'This browser is signed in as the admin; opening the portal ends that session.'
        : 'This browser has a portal session for another app open; opening this one ends it.'
      : 'This link was opened from another site. Open it only if you expected it.';
    return kit.send(reply, confirmPage(app.name, replaces, token, csrf));
  });

  ui.post<{ Body: { token?: string; _csrf?: string } }>(PORTAL_PATH, async (request, reply) => {
    // Only this origin's own confirmation form switches a session.
    if (isCrossSite(request)) throw new ApiError('csrf_invalid');
    const expected = cookieValue(request, CONFIRM_COOKIE);
    if (!expected || !sameText(expected, String(request.body?._csrf ?? ''))) throw new ApiError('csrf_invalid');
    const claims = await validLink(request, String(request.body?.token ?? ''));
    const attributes = cookieAttributes(request, cookies.embedPortal);
    reply.header('set-cookie', `${CONFIRM_COOKIE}=; Path=${PORTAL_PATH}; Max-Age=0; ${attributes}`);
    return open(request, reply, claims);
  });
}

/** `cross-site` and `same-site` (a sibling subdomain) both come from outside this origin. */
function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

function confirmPage(appName: string, replaces: string, token: string, csrf: string): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Open the portal? · hookd</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/app.css"></head>
<body><main id="main" class="signin">
<h1>Open the portal for ${appName}?</h1>
<p class="notice" role="alert">${replaces}</p>
<form method="post" action="${PORTAL_PATH}">
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="_csrf" value="${csrf}">
<button class="primary" type="submit">Open the portal for ${appName}</button>
<p><a href="/ui">Cancel</a></p>
</form></main></body></html>`;
}
