/**
 * Signed, expiring portal links: `<base64url JSON>.<base64url HMAC-SHA256>`, under a random key kept in the store
 * (never derived from the admin token, so a link gives nothing to guess it from). Revocation is checked beside the
 * signature: the app's portal epoch, and the app token that made the link.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** An admin session, or one scoped to a single app (opened from a portal link). */
export type UiScope = { kind: 'admin' } | { kind: 'app'; appId: string };

export interface PortalClaims {
  use: 'portal';
  appId: string;
  exp: number;
  /** The app's portal epoch when the link was made: revoking the app's portal access moves it on. */
  epoch: number;
  /** The app token that made the link, if one did: revoking that token ends the link. */
  tokenId?: string;
}

export type TokenClaims = PortalClaims;

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

/** Constant-time comparison of two strings (lengths may differ). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
