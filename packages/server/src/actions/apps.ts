/**
 * The app operations: find, create, change, delete, each recorded in the audit log with its change. Who may set which
 * field (admin or app token) is the caller's check.
 */
import {
  type App,
  auditChanges,
  auditEntry,
  newId,
  type PortalBranding,
  portalBrandingProblem,
  type Requester,
  TtlCache,
  uidProblem,
} from '../domain/index.js';
import { type AdminStore, type AppPatch, StoreConflictError } from '../store/index.js';
import { ApiError } from './errors.js';

/** The domain's uid rule, as API errors (the schema or form checked the characters already). */
export function checkUid(value: string | null | undefined): void {
  const problem = value == null ? null : uidProblem(value);
  if (problem === 'reserved') throw new ApiError('uid_reserved');
  if (problem === 'id_like') throw new ApiError('validation_failed', 'a uid may not start with app_, which ids use');
  if (problem === 'path_step') throw new ApiError('validation_failed', 'a uid may not be . or ..');
  if (problem === 'characters') throw new ApiError('validation_failed', 'a uid is letters, digits, . _ - (at most 256)');
}

function uidTaken<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    if (error instanceof StoreConflictError) throw new ApiError('uid_taken');
    throw error;
  });
}

/** The app with this id or uid, or `app_not_found`. */
export async function getApp(deps: { store: Pick<AdminStore, 'findApp'> }, idOrUid: string): Promise<App> {
  const app = await deps.store.findApp(idOrUid);
  if (!app) throw new ApiError('app_not_found', `no app has the id or uid ${JSON.stringify(idOrUid)}`);
  return app;
}

/**
 * App ids by id or uid, kept APP_ID_TTL_MS per store: a publish names its app in every request, and reading the app
 * each time was the larger part of a publish's cost on PostgreSQL (a round trip and a commit per event, `npm run
 * bench -- publish`). A change made through this process forgets them at once; one made by another process sharing
 * the database shows within the TTL, and a publish to an app deleted meanwhile meets its foreign key (publishTo).
 */
const APP_ID_TTL_MS = 5_000;
const appIds = new WeakMap<object, TtlCache<string, string>>();

/** The id of the app with this id or uid, or `app_not_found`; possibly APP_ID_TTL_MS old. */
export function cachedAppId(deps: { store: Pick<AdminStore, 'findApp'>; clock: () => number }, idOrUid: string): Promise<string> {
  let ids = appIds.get(deps.store);
  if (ids === undefined) {
    ids = new TtlCache(APP_ID_TTL_MS, 10_000, deps.clock);
    appIds.set(deps.store, ids);
  }
  // Not found throws, so a miss is never kept: an app made a moment ago elsewhere is found at once.
  return ids.get(idOrUid, async () => (await getApp(deps, idOrUid)).id);
}

/** Forgets the app ids `cachedAppId` kept for this store: an app changed its uid or was deleted. */
export function forgetCachedAppIds(store: object): void {
  appIds.delete(store);
}

export type AppInput = Pick<App, 'name'> & AppPatch;

/** Branding is shown in HTML, CSS and the CSP of portal pages: each field must have its strict form. */
function checkBranding(branding: PortalBranding | null | undefined): void {
  const problem = branding ? portalBrandingProblem(branding) : null;
  if (problem !== null) throw new ApiError('validation_failed', `body/portalBranding/${problem}`);
}

export async function createApp(
  deps: { store: Pick<AdminStore, 'createApp'>; clock: () => number },
  who: Requester,
  { name, uid = null, alertWhenSilent = false, maxInFlight = null, portalBranding = null }: AppInput,
): Promise<App> {
  checkUid(uid);
  checkBranding(portalBranding);
  const now = deps.clock();
  const app = {
    id: newId('app', now),
    uid,
    name,
    alertWhenSilent,
    maxInFlight,
    ...(portalBranding ? { portalBranding } : {}),
    createdAt: now,
    updatedAt: now,
  };
  const changes = auditChanges(null, { ...app });
  return uidTaken(
    deps.store.createApp(app, auditEntry(who, { action: 'app.created', appId: app.id, target: app.id, changes }, now)),
  );
}

export async function updateApp(
  deps: { store: Pick<AdminStore, 'findApp' | 'updateApp'>; clock: () => number },
  who: Requester,
  appId: string,
  patch: AppPatch,
): Promise<App> {
  checkUid(patch.uid);
  checkBranding(patch.portalBranding);
  const before = await getApp(deps, appId);
  const now = deps.clock();
  const changes = auditChanges({ ...before }, { ...patch });
  const audit = auditEntry(who, { action: 'app.updated', appId: before.id, target: before.id, changes }, now);
  const updated = await uidTaken(deps.store.updateApp(before.id, patch, now, audit));
  forgetCachedAppIds(deps.store);
  if (!updated) throw new ApiError('app_not_found');
  return updated;
}

/** Deletes the app with its endpoints, messages, deliveries and tokens. */
export async function deleteApp(
  deps: { store: Pick<AdminStore, 'findApp' | 'deleteApp'>; clock: () => number },
  who: Requester,
  appId: string,
): Promise<void> {
  const before = await getApp(deps, appId);
  const changes = auditChanges({ ...before }, null);
  await deps.store.deleteApp(
    before.id,
    auditEntry(who, { action: 'app.deleted', appId: before.id, target: before.id, changes }, deps.clock()),
  );
  forgetCachedAppIds(deps.store);
}
