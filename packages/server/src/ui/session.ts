/**
 * Dashboard sessions, kept in the store: the cookie (HttpOnly, SameSite=Strict, Path=/ui, Secure over https) holds a
 * random id, the store its SHA-256 with the scope, expiry and CSRF token. Signing out, revoking the app token or the
 * portal links that opened a session, or changing the admin token ends it in every process at once.
 *
 * When the portal may be embedded (HOOKD_PORTAL_FRAME_ANCESTORS other than 'none'), portal cookies are
 * SameSite=None; Secure; Partitioned: a frame on the operator's site is a cross-site context, where a Strict or Lax
 * cookie is never sent, and Partitioned (CHIPS) keys it to that top-level site, so it still works where third-party
 * cookies are blocked and is no cookie of any other site. Forms still carry the session's CSRF token, so a cookie sent
 * cross-site changes nothing on its own. Admin sessions stay Strict whatever the setting.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditEntry, sameText, type UiScope, type UiSession } from '../domain/index.js';
import type { DashboardStore } from '../store/index.js';

export const COOKIE = 'hookd_session';
/**
 * Which app's portal this browser last had open (an app id, no secret): once its session ends, pages send it to the
 * portal's own "session ended" page, with the app's branding, instead of the admin sign-in.
 */
export const PORTAL_COOKIE = 'hookd_portal';

/** The attributes of a cookie under /ui: Strict, or cross-site-capable for an embeddable portal. */
export function cookieAttributes(request: FastifyRequest, crossSite: boolean): string {
  if (crossSite) return 'HttpOnly; SameSite=None; Secure; Partitioned';
  return `HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`;
}
/** An admin sign-in lasts this long. */
export const ADMIN_SESSION_MS = 12 * 3_600_000;

export interface Session {
  scope: UiScope;
  exp: number;
  /** The value forms carry as `_csrf`. */
  csrf: string;
  /** The store's key for this session. */
  idHash: string;
}

export function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

const hashOf = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const toSession = (row: UiSession): Session => ({
  scope: row.appId === null ? { kind: 'admin' } : { kind: 'app', appId: row.appId },
  exp: row.expiresAt,
  csrf: row.csrf,
  idHash: row.idHash,
});

type SessionStore = Pick<DashboardStore, 'createUiSession' | 'findUiSession' | 'endUiSession'>;

/** `embedPortal`: portal cookies work in a frame on another site (see above). */
export function sessionCookies(store: SessionStore, clock: () => number, embedPortal: boolean) {
  const serialize = (request: FastifyRequest, value: string, maxAge: number, portal: boolean) =>
    `${COOKIE}=${value}; Path=/ui; Max-Age=${maxAge}; ${cookieAttributes(request, portal && embedPortal)}`;
  return {
    embedPortal,
    async read(request: FastifyRequest): Promise<Session | null> {
      const value = cookieValue(request, COOKIE);
      if (!value || value.length > 128) return null;
      const row = await store.findUiSession(hashOf(value), clock());
      return row ? toSession(row) : null;
    },
    /** Whether the session still holds: what an open live stream asks every few seconds. */
    async stillValid(session: Session): Promise<boolean> {
      return (await store.findUiSession(session.idHash, clock())) !== null;
    },
    /**
     * `tokenId`: the app token whose portal link opened the session; revoking it ends the session. `audit` records the
     * sign-in with the session's row.
     */
    async start(
      request: FastifyRequest,
      reply: FastifyReply,
      scope: UiScope,
      exp: number,
      tokenId: string | null,
      audit: AuditEntry,
    ) {
      const value = randomBytes(32).toString('base64url');
      await store.createUiSession(
        {
          idHash: hashOf(value),
          appId: scope.kind === 'app' ? scope.appId : null,
          tokenId,
          csrf: randomBytes(24).toString('base64url'),
          expiresAt: exp,
          createdAt: clock(),
        },
        audit,
      );
      // Rounded up: the clock has moved on since exp was set, and the store's expiry is what counts.
      const maxAge = Math.max(0, Math.ceil((exp - clock()) / 1000));
      const portal = scope.kind === 'app';
      reply.header('set-cookie', serialize(request, value, maxAge, portal));
      // An admin sign-in forgets a portal this browser had open; a portal session remembers its app.
      if (portal) {
        const attributes = cookieAttributes(request, embedPortal);
        reply.header('set-cookie', `${PORTAL_COOKIE}=${scope.appId}; Path=/ui; Max-Age=${30 * 86_400}; ${attributes}`);
      } else if (cookieValue(request, PORTAL_COOKIE) !== null) {
        reply.header('set-cookie', `${PORTAL_COOKIE}=; Path=/ui; Max-Age=0; ${cookieAttributes(request, false)}`);
      }
    },
    /**
     * Ends the request's session on the server, when a new one replaces it in this browser or it signs out; with
     * `audit`, recorded with it.
     */
    async replace(request: FastifyRequest, audit?: AuditEntry): Promise<void> {
      const value = cookieValue(request, COOKIE);
      if (value) await store.endUiSession(hashOf(value), audit);
    },
    /** Signs out: the session ends on the server, not only in this browser, so the same cookie is refused from now on. */
    async end(request: FastifyRequest, reply: FastifyReply, portal: boolean, audit: AuditEntry): Promise<void> {
      await this.replace(request, audit);
      reply.header('set-cookie', serialize(request, '', 0, portal));
    },
    /** The app whose portal this browser last had open, if any: its id, to be checked against the store. */
    lastPortalApp(request: FastifyRequest): string | null {
      const value = cookieValue(request, PORTAL_COOKIE);
      return value && /^[A-Za-z0-9_]{1,64}$/.test(value) ? value : null;
    },
    /** Timing-safe check of the form's `_csrf` against the session's. */
    csrfMatches(session: Session, offered: unknown): boolean {
      return typeof offered === 'string' && sameText(offered, session.csrf);
    },
  };
}

export type SessionCookies = ReturnType<typeof sessionCookies>;
