/**
 * Dashboard sessions, kept in the store: the cookie (HttpOnly, SameSite=Strict, Path=/ui, Secure over https) holds a
 * random id, the store its SHA-256 with the scope, expiry and CSRF token. Signing out, revoking the app token or the
 * portal links that opened a session, or changing the admin token ends it in every process at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditEntry, sameText, type UiScope, type UiSession } from '../domain/index.js';
import type { DashboardStore } from '../store/index.js';

export const COOKIE = 'hookd_session';
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

export function sessionCookies(store: SessionStore, clock: () => number) {
  return {
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
      reply.header('set-cookie', serialize(request, value, maxAge));
    },
    /** Ends the request's session on the server, when a new one replaces it in this browser. */
    async replace(request: FastifyRequest): Promise<void> {
      const value = cookieValue(request, COOKIE);
      if (value) await store.endUiSession(hashOf(value));
    },
    /** Signs out: the session ends on the server, not only in this browser, so the same cookie is refused from now on. */
    async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      await this.replace(request);
      reply.header('set-cookie', serialize(request, '', 0));
    },
    /** Timing-safe check of the form's `_csrf` against the session's. */
    csrfMatches(session: Session, offered: unknown): boolean {
      return typeof offered === 'string' && sameText(offered, session.csrf);
    },
  };
}

export type SessionCookies = ReturnType<typeof sessionCookies>;

function serialize(request: FastifyRequest, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${COOKIE}=${value}; Path=/ui; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}
