/**
 * Portal links: signed with a random key kept in the store (made at first start), refused once revoked. Rotating the
 * key ends every outstanding link at once; there is no overlap (sessions are kept server-side, so they stay).
 */
import { randomBytes } from 'node:crypto';
import { auditEntry, type PortalClaims, type Requester, readToken, signToken } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';

/** Where a portal link lands; the dashboard serves it. */
export const PORTAL_PATH = '/ui/portal';
const SIGNING_KEY = 'portal_signing_key';

type KeyStore = Pick<AdminStore, 'readSetting' | 'swapSetting'>;

/** The key portal links are signed with, made (once, whichever process is first) when there is none. */
export async function signingKey(store: KeyStore): Promise<Buffer> {
  for (;;) {
    const kept = await store.readSetting(SIGNING_KEY);
    if (kept !== null) return Buffer.from(kept, 'base64url');
    await store.swapSetting(SIGNING_KEY, null, randomBytes(32).toString('base64url'));
  }
}

/** A new key: every portal link made so far stops working. Recorded in the audit log (the key never is). */
export async function rotateSigningKey(deps: { store: KeyStore; clock: () => number }, who: Requester): Promise<void> {
  const facts = { action: 'portal.signing_key_rotated', appId: null, target: 'portal-signing-key' };
  for (;;) {
    const kept = await deps.store.readSetting(SIGNING_KEY);
    const audit = auditEntry(who, facts, deps.clock());
    if (await deps.store.swapSetting(SIGNING_KEY, kept, randomBytes(32).toString('base64url'), audit)) return;
  }
}

export interface PortalLinkRequest {
  /** Where hookd is reached from outside (HOOKD_PUBLIC_URL, or the scheme and host the request came to). */
  baseUrl: string;
  /** How long the link, and the session it opens, lasts. */
  expiresInMs: number;
  /** The app token that asked for it, so revoking that token ends the link; null for the admin. */
  tokenId: string | null;
}

/** A signed link that opens the dashboard scoped to one app: what the API and the dashboard both hand out. */
export async function portalLink(
  deps: { store: KeyStore & Pick<AdminStore, 'portalEpoch'>; clock: () => number },
  appId: string,
  { baseUrl, expiresInMs, tokenId }: PortalLinkRequest,
): Promise<{ url: string; expiresAt: number }> {
  const exp = deps.clock() + expiresInMs;
  const epoch = (await deps.store.portalEpoch(appId)) ?? 0;
  const claims: PortalClaims = { use: 'portal', appId, exp, epoch, ...(tokenId ? { tokenId } : {}) };
  const token = signToken(await signingKey(deps.store), claims);
  return { url: `${baseUrl}${PORTAL_PATH}?token=${encodeURIComponent(token)}`, expiresAt: exp };
}

/** The claims of a link that still holds: signed with the current key, not expired, not revoked; null otherwise. */
export async function readPortalLink(
  deps: { store: KeyStore & Pick<AdminStore, 'portalEpoch' | 'findAppToken'>; clock: () => number },
  token: string,
): Promise<PortalClaims | null> {
  const { store } = deps;
  const claims = readToken(await signingKey(store), token, 'portal', deps.clock());
  if (!claims || typeof claims.appId !== 'string') return null;
  if ((await store.portalEpoch(claims.appId)) !== claims.epoch) return null;
  if (claims.tokenId !== undefined && !(await store.findAppToken(claims.appId, claims.tokenId))) return null;
  return claims;
}
