/**
 * Portal links: signed with a random key kept in the store (made at first start), refused once revoked. Rotating the
 * key ends every outstanding link at once; there is no overlap (sessions are kept server-side, so they stay).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { type PortalClaims, readToken, signToken } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { ApiContext } from './context.js';
import { publicUrl } from './public-url.js';

/** Where a portal link lands; the dashboard serves it. */
export const PORTAL_PATH = '/ui/portal';
const SIGNING_KEY = 'portal_signing_key';

type KeyStore = Pick<Store, 'readSetting' | 'swapSetting'>;

/** The key portal links are signed with, made (once, whichever process is first) when there is none. */
export async function signingKey(store: KeyStore): Promise<Buffer> {
  for (;;) {
    const kept = await store.readSetting(SIGNING_KEY);
    if (kept !== null) return Buffer.from(kept, 'base64url');
    await store.swapSetting(SIGNING_KEY, null, randomBytes(32).toString('base64url'));
  }
}

/** A new key: every portal link made so far stops working. */
export async function rotateSigningKey(store: KeyStore): Promise<void> {
  for (;;) {
    const kept = await store.readSetting(SIGNING_KEY);
    if (await store.swapSetting(SIGNING_KEY, kept, randomBytes(32).toString('base64url'))) return;
  }
}

/**
 * A signed link that opens the dashboard scoped to one app until `exp`: what the API and the dashboard both hand out.
 * `tokenId` names the app token that asked for it, so revoking that token ends the link.
 */
export async function portalLink(
  request: FastifyRequest,
  ctx: ApiContext,
  appId: string,
  exp: number,
  tokenId: string | null,
): Promise<string> {
  const epoch = (await ctx.store.portalEpoch(appId)) ?? 0;
  const claims: PortalClaims = { use: 'portal', appId, exp, epoch, ...(tokenId ? { tokenId } : {}) };
  const token = signToken(await signingKey(ctx.store), claims);
  return publicUrl(request, ctx.config.publicUrl, `${PORTAL_PATH}?token=${encodeURIComponent(token)}`);
}

/** The claims of a link that still holds: signed with the current key, not expired, not revoked; null otherwise. */
export async function readPortalLink(ctx: Pick<ApiContext, 'store' | 'clock'>, token: string): Promise<PortalClaims | null> {
  const claims = readToken(await signingKey(ctx.store), token, 'portal', ctx.clock());
  if (!claims || typeof claims.appId !== 'string') return null;
  if ((await ctx.store.portalEpoch(claims.appId)) !== claims.epoch) return null;
  if (claims.tokenId !== undefined && !(await ctx.store.findAppToken(claims.appId, claims.tokenId))) return null;
  return claims;
}
