/**
 * What the portal shows around its sessions: its Content-Security-Policy (framable by the operator's site when
 * HOOKD_PORTAL_FRAME_ANCESTORS says so, and the brand's logo allowed), the brand's stylesheet, and the page a
 * customer lands on once the portal session ended or the link no longer works: never the admin's sign-in.
 */
import type { App, PortalBranding } from '../domain/index.js';
import { type Html, html } from './html.js';
import { brandMark, brandStyle } from './layout.js';

const BASE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

/** The admin's pages: never in a frame, images from hookd only. */
export const ADMIN_CSP = `${BASE_CSP}; img-src 'self' data:; frame-ancestors 'none'`;

/** A portal page: framable by `frameAncestors` (checked by config), and the brand's logo origin as an image source. */
export function portalCsp(frameAncestors: string, brand: PortalBranding | null): string {
  // The logo URL was held to https at save time; its origin is all the policy names.
  const logo = brand?.logoUrl && URL.canParse(brand.logoUrl) ? ` ${new URL(brand.logoUrl).origin}` : '';
  return `${BASE_CSP}; img-src 'self' data:${logo}; frame-ancestors ${frameAncestors}`;
}

/** `:root` with the brand's accent: the colour matched `#rgb` or `#rrggbb` when it was saved. */
export function brandCss(brand: PortalBranding | null): string {
  const color = brand?.accentColor;
  if (!color || !/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(color)) return '';
  return `:root { --accent: ${color}; --focus: ${color}; }\nbutton.primary { background: ${color}; border-color: ${color}; }\n`;
}

export type PortalEnd = 'signed-out' | 'expired' | 'link';

const ENDINGS: Record<PortalEnd, { title: string; text: string }> = {
  'signed-out': { title: 'You signed out', text: 'You signed out of the portal; nothing of it stays open in this browser.' },
  expired: { title: 'Your portal session ended', text: 'Portal sessions last as long as the link that opened them.' },
  link: { title: 'This portal link no longer works', text: 'It has expired, was revoked, or was copied incompletely.' },
};

/** The page a portal customer lands on when the portal cannot open: what happened, and how to get back in. */
export function portalEndedPage(why: PortalEnd, app: App | null): Html {
  const brand = app?.portalBranding ?? null;
  const where = brand?.name ?? app?.name ?? 'the service that sent you here';
  const { title, text } = ENDINGS[why];
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${brand?.name ?? 'Webhooks portal'}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/app.css">
${brandStyle(brand, app?.id)}</head>
<body><main id="main" class="signin portal-ended">
<p>${brandMark(brand, '#main')}</p>
<h1>${title}</h1>
<p class="notice" role="status">${text}</p>
<p>To open the webhooks portal again, go back to ${where} and open it from there: each visit makes a new link, valid for a
limited time. If that does not work, ask ${where}’s support for a new portal link.</p>
</main></body></html>`;
}
