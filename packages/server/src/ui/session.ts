/**
 * Dashboard sessions: a signed cookie (HttpOnly, SameSite=Strict, Path=/ui, Secure over https) holding the session's
 * scope and expiry, and a CSRF token derived from its id that every form carries and every POST must echo.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readToken, type SessionClaims, sameText, sessionBound, signToken, type UiScope } from '../domain/index.js';

export const COOKIE = 'hookd_session';
/** An admin sign-in lasts this long. */
export const ADMIN_SESSION_MS = 12 * 3_600_000;

export interface Session {
  scope: UiScope;
  exp: number;
  /** The value forms carry as `_csrf`. */
  csrf: string;
}

function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function sessionCookies(key: Buffer, clock: () => number) {
  const csrfOf = (sid: string) => sessionBound(key, 'csrf', sid);
  return {
    read(request: FastifyRequest): Session | null {
      const token = cookieValue(request, COOKIE);
      const claims = token ? readToken(key, token, 'session', clock()) : null;
      return claims ? { scope: claims.scope, exp: claims.exp, csrf: csrfOf(claims.sid) } : null;
    },
    start(request: FastifyRequest, reply: FastifyReply, scope: UiScope, exp: number): void {
      const claims: SessionClaims = { use: 'session', sid: randomBytes(16).toString('base64url'), scope, exp };
      // Rounded up: the clock has moved on since exp was set, and the token's own expiry is what counts.
      const maxAge = Math.max(0, Math.ceil((exp - clock()) / 1000));
      reply.header('set-cookie', serialize(request, signToken(key, claims), maxAge));
    },
    end(request: FastifyRequest, reply: FastifyReply): void {
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
