/**
 * Signed, expiring tokens for the dashboard: session cookies and portal links. `<base64url JSON>.<base64url HMAC-SHA256>`,
 * stateless, so every hookd process holding the same key (derived from the admin token) accepts them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** An admin session, or one scoped to a single app (opened from a portal link). */
export type UiScope = { kind: 'admin' } | { kind: 'app'; appId: string };

export interface SessionClaims {
  use: 'session';
  /** Random per sign-in; the CSRF token is derived from it. */
  sid: string;
  scope: UiScope;
  /** Epoch ms after which the token is refused. */
  exp: number;
}

export interface PortalClaims {
  use: 'portal';
  appId: string;
  exp: number;
}

export type TokenClaims = SessionClaims | PortalClaims;

/** The dashboard's signing key: an HMAC of a fixed label under the admin token's SHA-256, so it changes with the token. */
export function uiSigningKey(adminTokenHash: Buffer): Buffer {
  return createHmac('sha256', adminTokenHash).update('hookd ui signing key v1').digest();
}

export function signToken(key: Buffer, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The claims of a token this key signed, of the wanted use, not expired at `now`; null for anything else. */
export function readToken<U extends TokenClaims['use']>(
  key: Buffer,
  token: string,
  use: U,
  now: number,
): Extract<TokenClaims, { use: U }> | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return null;
  const body = token.slice(0, dot);
  if (!sameText(token.slice(dot + 1), mac(key, body))) return null;
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return null;
  }
  if (claims?.use !== use || typeof claims.exp !== 'number' || claims.exp <= now) return null;
  return claims as Extract<TokenClaims, { use: U }>;
}

/** A value bound to one session, e.g. its CSRF token: an HMAC of a label and the session id. */
export function sessionBound(key: Buffer, label: string, sid: string): string {
  return createHmac('sha256', key).update(`${label}\0${sid}`).digest('base64url');
}

/** Constant-time comparison of two strings (lengths may differ). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
