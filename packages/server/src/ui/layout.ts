/** The page shell every screen shares: skip link, header with navigation and sign-out, and the main landmark. */
import type { App, Endpoint, PortalBranding } from '../domain/index.js';
import { type Html, html } from './html.js';
import type { Session } from './session.js';

export interface PageOptions {
  title: string;
  session: Session | null;
  /** The app in view: its screens show in the navigation. */
  app?: App;
  /** Which navigation entry is current. */
  current?: 'overview' | 'apps' | 'sources' | 'event-types' | 'audit' | 'endpoints' | 'messages';
  /** The SSE URL that says when this page's live regions should be refreshed. */
  live?: string;
  notice?: { text: string; error?: boolean } | null;
  body: Html;
}

export const appPath = (app: Pick<App, 'id'>) => `/ui/apps/${encodeURIComponent(app.id)}`;
export const endpointPath = (ep: Pick<Endpoint, 'appId' | 'id'>) =>
  `/ui/apps/${encodeURIComponent(ep.appId)}/endpoints/${encodeURIComponent(ep.id)}`;

/** A hidden field every form carries, checked on POST. */
export const csrfField = (session: Session) => html`<input type="hidden" name="_csrf" value="${session.csrf}">`;

function navLink(href: string, label: string, current: boolean): Html {
  return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

/** A portal session shows its app's branding (never the admin's pages). */
export const brandingOf = (session: Session | null, app: App | undefined): PortalBranding | null =>
  session?.scope.kind === 'app' && app?.portalBranding ? app.portalBranding : null;

/** The header's home link: the brand's logo and name, or hookd's. */
export function brandMark(brand: PortalBranding | null, home: string): Html {
  return html`<a class="brand" href="${home}">${brand?.logoUrl ? html`<img class="logo" src="${brand.logoUrl}" alt="" referrerpolicy="no-referrer">` : ''}${brand?.name ?? 'hookd'}</a>`;
}

/** The stylesheet that carries the brand's accent colour (no inline style: the CSP allows none). */
export const brandStyle = (brand: PortalBranding | null, appId: string | undefined) =>
  brand?.accentColor && appId ? html`<link rel="stylesheet" href="/ui/brand/${appId}.css">` : '';

export function page(options: PageOptions): Html {
  const { session, app, current } = options;
  const admin = session?.scope.kind === 'admin';
  const brand = brandingOf(session, app);
  const links: Html[] = [];
  if (admin) {
    links.push(
      navLink('/ui', 'Overview', current === 'overview'),
      navLink('/ui/apps', 'Apps', current === 'apps'),
      navLink('/ui/sources', 'Sources', current === 'sources'),
      navLink('/ui/event-types', 'Event types', current === 'event-types'),
      navLink('/ui/audit', 'Audit', current === 'audit'),
    );
  }
  if (app) {
    links.push(
      navLink(appPath(app), admin ? `${app.name}: endpoints` : 'Endpoints', current === 'endpoints'),
      navLink(`${appPath(app)}/messages`, 'Messages', current === 'messages'),
    );
    // The catalog of event types, for a portal customer choosing what to subscribe to.
    if (!admin) links.push(navLink('/ui/event-types', 'Event types', current === 'event-types'));
  }
  const home = admin || !session ? '/ui' : app ? appPath(app) : '/ui';
  const who = session
    ? html`<div class="who"><span>${admin ? 'Admin' : `Portal: ${app?.name ?? ''}`}</span>
<form class="inline" method="post" action="/ui/sign-out">${csrfField(session)}<button type="submit">Sign out</button></form></div>`
    : '';
  const notice = options.notice
    ? html`<p class="notice${options.notice.error ? ' error' : ''}" role="${options.notice.error ? 'alert' : 'status'}">${options.notice.text}</p>`
    : '';
  const live = options.live
    ? html`<p class="live muted"><span id="live-status" role="status">Updates when something changes</span></p>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${brand?.name ?? 'hookd'}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/app.css">
${brandStyle(brand, app?.id)}
<script type="module" src="/ui/assets/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
${brandMark(brand, home)}
${links.length > 0 ? html`<nav aria-label="Main"><ul>${links}</ul></nav>` : ''}
${who}
</header>
<main id="main" tabindex="-1"${options.live ? html` data-live="${options.live}"` : ''}>
${notice}
<h1>${options.title}</h1>
${live}
${options.body}
</main>
</body>
</html>`;
}
