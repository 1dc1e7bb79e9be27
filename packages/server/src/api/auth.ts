/**
 * Bearer-token authentication and scope. The admin token reaches everything; an app token (`hkd_app_…`) reaches
 * its own app's routes only. Tokens are kept only as SHA-256 hashes: the admin token's is compared in constant
 * time, an app token is found by its hash (a lookup that learns nothing from how close a guess is).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Requester } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import type { AuthLimiter } from './auth-limiter.js';
import { ApiError } from './errors.js';

export const APP_TOKEN_PREFIX = 'hkd_app_';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateAdminToken(): string {
  return `hk_admin_${randomBytes(32).toString('base64url')}`;
}

export function generateAppToken(): string {
  return `${APP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Who a request speaks for. */
export type Scope = { kind: 'admin' } | { kind: 'app'; appId: string; tokenId: string; canMintPortalLinks: boolean };

const scopes = new WeakMap<FastifyRequest, Scope>();

/** Who the request speaks for, as the audit log names it (`admin`, `token:<id>`), with its address and request id. */
export function requesterOf(request: FastifyRequest): Requester {
  const scope = scopeOf(request);
  return { actor: scope.kind === 'admin' ? 'admin' : `token:${scope.tokenId}`, address: request.ip, requestId: request.id };
}

/** The scope the /v1 hook resolved for this request; routes whose rules depend on who calls read it here. */
export function scopeOf(request: FastifyRequest): Scope {
  const scope = scopes.get(request);
  if (!scope) throw new ApiError('unauthorized');
  return scope;
}

function bearerOf(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? (match[1] as string) : null;
}

/** Resolves bearer tokens to scopes; wrong tokens count against the client's address. */
export function authenticator(adminHash: Buffer, store: Pick<AdminStore, 'findAppTokenByHash'>, limiter: AuthLimiter) {
  const resolve = async (authorization: string | undefined): Promise<Scope | null> => {
    const token = bearerOf(authorization);
    if (token === null) return null;
    const hash = hashToken(token);
    if (timingSafeEqual(hash, adminHash)) return { kind: 'admin' };
    if (token.startsWith(APP_TOKEN_PREFIX)) {
      const found = await store.findAppTokenByHash(hash.toString('hex'));
      if (found) {
        return { kind: 'app', appId: found.appId, tokenId: found.id, canMintPortalLinks: found.canMintPortalLinks };
      }
    }
    return null;
  };
  return {
    /** The request's scope, or `unauthorized`; `auth_rate_limited` for an address that sent too many wrong tokens. */
    async authenticate(authorization: string | undefined, address: string): Promise<Scope> {
      limiter.check(address);
      const scope = await resolve(authorization);
      if (scope) return scope;
      // No header at all is not a guess: only wrong tokens count.
      if (authorization !== undefined) limiter.failed(address);
      throw new ApiError('unauthorized');
    },
    /** Whether the token still resolves to the same scope: what an open stream asks every few seconds. */
    async stillValid(authorization: string | undefined, scope: Scope): Promise<boolean> {
      const now = await resolve(authorization);
      if (!now || now.kind !== scope.kind) return false;
      return now.kind === 'admin' || (scope.kind === 'app' && now.tokenId === scope.tokenId);
    },
  };
}

export type Authenticator = ReturnType<typeof authenticator>;

/** Routes under an app that still need the admin token: deleting the app, and managing its tokens. */
const ADMIN_ONLY = new Set(['DELETE /v1/apps/:app']);
const ADMIN_ONLY_PREFIX = '/v1/apps/:app/tokens';
/** The one route outside `/v1/apps/:app` an app token may call. */
const APP_SCOPED_ELSEWHERE = '/v1/audit-log';

/**
 * The one place an app token's reach is decided, from the route (not the URL's spelling): a route outside
 * `/v1/apps/:app` or kept for the admin is 403 `forbidden`; another app's id or uid is 404 `app_not_found`,
 * as if it did not exist, so a token learns nothing about other tenants. The audit log's route is let through: it
 * reads only the token's own app's entries.
 */
export async function checkScope(
  scope: Scope,
  request: FastifyRequest,
  /** The app's id, or ApiError `app_not_found`. */
  appIdOf: (idOrUid: string) => Promise<string>,
): Promise<void> {
  scopes.set(request, scope);
  if (scope.kind === 'admin') return;
  const route = request.routeOptions.url ?? '';
  // The audit log route narrows an app token to its own app's entries itself.
  if (route === APP_SCOPED_ELSEWHERE) return;
  const inApp = route === '/v1/apps/:app' || route.startsWith('/v1/apps/:app/');
  if (!inApp || route.startsWith(ADMIN_ONLY_PREFIX) || ADMIN_ONLY.has(`${request.method} ${route}`)) {
    throw new ApiError('forbidden');
  }
  const idOrUid = (request.params as { app?: string }).app ?? '';
  if ((await appIdOf(idOrUid)) !== scope.appId) {
    throw new ApiError('app_not_found', `no app has the id or uid ${JSON.stringify(idOrUid)}`);
  }
}
