/**
 * The endpoint operations: create, change, disable, enable, rotate the secret, replay, delete. Each write goes to the
 * store with its audit entry, so the change and the entry are committed together.
 */
import {
  type AuditFacts,
  auditChanges,
  auditEntry,
  type Endpoint,
  type EndpointCredentials,
  MASKED,
  type NewEndpoint,
  newEndpoint,
  newSecretFor,
  type Requester,
  type SignatureScheme,
  secretFits,
} from '../domain/index.js';
import { type AdminStore, type EndpointChange, type EndpointPatch, type ReplayInput, StoreLimitError } from '../store/index.js';
import { type CredentialInput, checkCredentials, credentialChange, givesCredentials } from './endpoint-credentials.js';
import {
  checkContentFilter,
  checkEndpointHeaders,
  checkEndpointUrl,
  checkFilters,
  checkTransformation,
  type UrlCheckDeps,
} from './endpoint-rules.js';
import { ApiError } from './errors.js';

type Clock = () => number;
type Finds = { store: Pick<AdminStore, 'findEndpoint'> };

const endpointFacts = (endpoint: Endpoint, action: string, changes: AuditFacts['changes']): AuditFacts => ({
  action,
  appId: endpoint.appId,
  target: endpoint.id,
  changes,
});

/** What a caller chooses for a new endpoint; the rest takes its defaults. `paused` makes it hold its deliveries. */
export type EndpointInput = Omit<NewEndpoint, 'appId'> & CredentialInput & { paused?: boolean };
/** What a caller may change; `disabled: true` disables it (with the reason given), `false` enables it. */
export type EndpointChanges = Partial<Omit<EndpointInput, 'secret' | 'paused'>> & { disabled?: boolean };

/** The app's endpoint with this id, or `endpoint_not_found`. */
export async function getEndpoint(deps: Finds, appId: string, id: string): Promise<Endpoint> {
  const endpoint = await deps.store.findEndpoint(appId, id);
  if (!endpoint) throw new ApiError('endpoint_not_found', `app ${appId} has no endpoint ${JSON.stringify(id)}`);
  return endpoint;
}

export interface CreateEndpointDeps extends UrlCheckDeps {
  store: Pick<AdminStore, 'createEndpoint'>;
  clock: Clock;
  config: UrlCheckDeps['config'] & { maxEndpointsPerApp: number };
}

/** Checks the URL, filters and headers, and registers the endpoint within the app's limit (`endpoint_limit_reached`). */
export async function createEndpoint(
  deps: CreateEndpointDeps,
  who: Requester,
  appId: string,
  input: EndpointInput,
): Promise<Endpoint> {
  const { auth, clientCertificate, secretHeaders, paused, ...fields } = input;
  if (fields.secret !== undefined) checkSecretFits(fields.signatureScheme ?? 'standard', fields.secret);
  const credentials = givesCredentials(input)
    ? await checkCredentials(deps, { auth, clientCertificate, secretHeaders })
    : undefined;
  const made = newEndpoint(
    {
      ...fields,
      appId,
      url: await checkEndpointUrl(deps, fields.url),
      events: checkFilters(fields.events),
      filter: checkContentFilter(fields.filter),
      headers: checkEndpointHeaders(fields.headers ?? {}),
      transformation: await checkTransformation(fields.transformation),
    },
    deps.clock(),
  );
  const endpoint = paused ? { ...made, pausedAt: made.createdAt } : made;
  return addEndpoint(deps, who, endpoint, credentials);
}

/** Stores an endpoint already checked and made, within the app's endpoint limit. */
export async function addEndpoint(
  deps: { store: Pick<AdminStore, 'createEndpoint'>; config: { maxEndpointsPerApp: number } },
  who: Requester,
  endpoint: Endpoint,
  credentials?: EndpointCredentials,
): Promise<Endpoint> {
  const limit = deps.config.maxEndpointsPerApp;
  const changes = auditChanges(null, { ...endpoint, ...(credentials ? { credentials: MASKED } : {}) });
  const audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.created', changes), endpoint.createdAt);
  try {
    return await deps.store.createEndpoint(endpoint, limit, credentials, audit);
  } catch (error) {
    if (!(error instanceof StoreLimitError)) throw error;
    throw new ApiError(
      'endpoint_limit_reached',
      `the app has ${limit} endpoints, the most one app may have (HOOKD_MAX_ENDPOINTS_PER_APP); delete one first`,
    );
  }
}

export interface UpdateEndpointDeps extends UrlCheckDeps {
  store: Pick<AdminStore, 'findEndpoint' | 'changeEndpoint' | 'endpointCredentials'>;
  clock: Clock;
  config: UrlCheckDeps['config'] & { secretOverlapMs: number };
}

/**
 * Checks and applies the changes; `disabledReason` is recorded when they disable the endpoint. A scheme that signs
 * with another kind of secret (HMAC to ed25519, or back) comes with a new one, and the old one keeps signing beside
 * it for the overlap, as a rotation does: receivers switch at their pace.
 */
export async function updateEndpoint(
  deps: UpdateEndpointDeps,
  who: Requester,
  appId: string,
  id: string,
  changes: EndpointChanges,
  disabledReason: string,
): Promise<Endpoint> {
  const endpoint = await getEndpoint(deps, appId, id);
  const { url, description, events, filter, signatureScheme, headers, rateLimit, maxInFlight, fifo } = changes;
  const { disabled, sendTraceContext } = changes;
  const { auth, clientCertificate, secretHeaders, transformation } = changes;
  // Every part is checked before any is written: a change refused for one field writes none of the others.
  const credentials = await credentialChange(deps, who, endpoint, { auth, clientCertificate, secretHeaders });
  const patch: EndpointPatch = {};
  if (url !== undefined) patch.url = await checkEndpointUrl(deps, url);
  if (description !== undefined) patch.description = description;
  if (events !== undefined) patch.events = checkFilters(events);
  if (filter !== undefined) patch.filter = checkContentFilter(filter);
  const newScheme = signatureScheme !== undefined && !secretFits(signatureScheme, endpoint.secret) ? signatureScheme : null;
  if (signatureScheme !== undefined && newScheme === null) patch.signatureScheme = signatureScheme;
  if (headers !== undefined) patch.headers = checkEndpointHeaders(headers);
  if (transformation !== undefined) patch.transformation = await checkTransformation(transformation);
  if (rateLimit !== undefined) patch.rateLimit = rateLimit;
  if (maxInFlight !== undefined) patch.maxInFlight = maxInFlight;
  if (fifo !== undefined) patch.fifo = fifo;
  if (sendTraceContext !== undefined) patch.sendTraceContext = sendTraceContext;
  if (disabled === false) patch.disabled = false;
  const now = deps.clock();
  const change: EndpointChange = { patch };
  if (credentials) change.credentials = credentials(now);
  if (newScheme !== null) change.rotation = rotation(deps, who, endpoint, newSecretFor(newScheme), now, newScheme);
  if (disabled === true) change.disable = disabling(who, endpoint, disabledReason, now);
  const { disabled: enable, ...fields } = patch;
  const diff = auditChanges({ ...endpoint }, fields);
  if (enable === false && endpoint.disabledAt !== null) diff.disabled = { before: true, after: false };
  // A change of credentials, scheme or state alone is recorded with its own entry: this one only if it changes more.
  if (Object.keys(diff).length > 0) change.audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.updated', diff), now);
  // One write: every part of the change, or none.
  const updated = await deps.store.changeEndpoint(endpoint.appId, endpoint.id, change, now);
  if (!updated) throw new ApiError('endpoint_not_found');
  return updated;
}

/** The endpoint disabled, with its entry (the store writes none for an endpoint disabled already). */
function disabling(who: Requester, endpoint: Endpoint, reason: string, now: number): NonNullable<EndpointChange['disable']> {
  const changes = { disabled: { before: false, after: true }, disabledReason: { before: null, after: reason } };
  return { reason, audit: auditEntry(who, endpointFacts(endpoint, 'endpoint.disabled', changes), now) };
}

/** Disables the endpoint: its pending deliveries fail, and `reason` says who did it. */
export async function disableEndpoint(
  deps: { store: Pick<AdminStore, 'findEndpoint' | 'disableEndpoint'>; clock: Clock },
  who: Requester,
  appId: string,
  id: string,
  reason: string,
): Promise<void> {
  const endpoint = await getEndpoint(deps, appId, id);
  const now = deps.clock();
  await deps.store.disableEndpoint(endpoint.id, reason, now, disabling(who, endpoint, reason, now).audit);
}

export interface ReplayDeps {
  store: Pick<AdminStore, 'findEndpoint' | 'replayDeliveries'>;
  clock: Clock;
  /** Wakes this process's worker when deliveries became due. */
  onDeliveriesDue: () => void;
}

/** Sends again the endpoint's deliveries with `status` created since a time; `endpoint_disabled` when it is disabled. */
export async function replayEndpoint(
  deps: ReplayDeps,
  who: Requester,
  appId: string,
  id: string,
  replay: { since: number; status: 'failed' | 'succeeded' },
): Promise<number> {
  const endpoint = await getEndpoint(deps, appId, id);
  if (endpoint.disabledAt !== null) throw new ApiError('endpoint_disabled');
  const replayed = await deps.store.replayDeliveries(replayInput(who, endpoint, replay, deps.clock()));
  if (replayed > 0) deps.onDeliveriesDue();
  return replayed;
}

function replayInput(who: Requester, endpoint: Endpoint, replay: ReplayRequest, now: number): ReplayInput {
  const iso = (ms: number) => new Date(ms).toISOString();
  const changes: AuditFacts['changes'] = { since: { after: iso(replay.since) }, status: { after: replay.status } };
  if (replay.settledSince !== undefined) changes.failedSince = { after: iso(replay.settledSince) };
  const audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.replayed', changes), now);
  return { endpointId: endpoint.id, ...replay, now, audit };
}

type ReplayRequest = { since: number; status: 'failed' | 'succeeded'; settledSince?: number };

export interface EnableOptions {
  /** Sends again its failed deliveries created since this time. */
  replayFailedSince?: number;
  /** Sends again the deliveries that failed while it was disabled: those disabling it failed, and any failed since. */
  replayFailedWhileDisabled?: boolean;
  /** Changes nothing: only says how many deliveries failed while it was disabled. */
  dryRun?: boolean;
}

/** What failed while the endpoint was disabled (nothing when it is not): any creation time, failed since the disable. */
const failedWhileDisabled = (endpoint: Endpoint): ReplayRequest | null =>
  endpoint.disabledAt === null ? null : { since: 0, status: 'failed', settledSince: endpoint.disabledAt };

/** How many deliveries failed while the endpoint was disabled (0 when it is not): what enabling it offers to replay. */
export async function countFailedWhileDisabled(
  deps: { store: Pick<AdminStore, 'countReplayable'> },
  endpoint: Endpoint,
): Promise<number> {
  const whileDisabled = failedWhileDisabled(endpoint);
  return whileDisabled ? deps.store.countReplayable({ endpointId: endpoint.id, ...whileDisabled }) : 0;
}

/**
 * Enables the endpoint, forgetting its failures, and sends again what the options ask. Answers how many deliveries
 * failed while it was disabled (counted before any replay: the offer a caller shows) and how many were sent again.
 */
export async function enableEndpoint(
  deps: ReplayDeps & { store: Pick<AdminStore, 'updateEndpoint' | 'countReplayable'> },
  who: Requester,
  appId: string,
  id: string,
  options: EnableOptions = {},
): Promise<{ endpoint: Endpoint; replayed: number; failedWhileDisabled: number }> {
  const endpoint = await getEndpoint(deps, appId, id);
  const whileDisabled = failedWhileDisabled(endpoint);
  const failed = await countFailedWhileDisabled(deps, endpoint);
  if (options.dryRun) return { endpoint, replayed: 0, failedWhileDisabled: failed };
  const now = deps.clock();
  const changes = { disabled: { before: endpoint.disabledAt !== null, after: false } };
  const audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.enabled', changes), now);
  const enabled = await deps.store.updateEndpoint(endpoint.appId, endpoint.id, { disabled: false }, now, audit);
  if (!enabled) throw new ApiError('endpoint_not_found');
  const replays: ReplayRequest[] = [];
  if (options.replayFailedSince !== undefined) replays.push({ since: options.replayFailedSince, status: 'failed' });
  if (options.replayFailedWhileDisabled && whileDisabled && failed > 0) replays.push(whileDisabled);
  let replayed = 0;
  for (const replay of replays) replayed += await deps.store.replayDeliveries(replayInput(who, endpoint, replay, now));
  if (replayed > 0) deps.onDeliveriesDue();
  return { endpoint: enabled, replayed, failedWhileDisabled: failed };
}

/** A new signing secret (given, or generated); the old one keeps signing beside it for `secretOverlapMs`. */
export async function rotateEndpointSecret(
  deps: RotateDeps,
  who: Requester,
  appId: string,
  id: string,
  secret?: string,
): Promise<Endpoint> {
  const endpoint = await getEndpoint(deps, appId, id);
  if (secret !== undefined) checkSecretFits(endpoint.signatureScheme, secret);
  const now = deps.clock();
  const next = secret ?? newSecretFor(endpoint.signatureScheme);
  const { previousExpiresAt, audit } = rotation(deps, who, endpoint, next, now);
  const rotated = await deps.store.rotateEndpointSecret(endpoint.appId, endpoint.id, next, previousExpiresAt, now, audit);
  if (!rotated) throw new ApiError('endpoint_not_found');
  return rotated;
}

type RotateDeps = {
  store: Pick<AdminStore, 'findEndpoint' | 'rotateEndpointSecret'>;
  clock: Clock;
  config: { secretOverlapMs: number };
};

/** A new secret (and, with `scheme`, a new scheme), the one it replaces signing beside it for the overlap; with its entry. */
function rotation(
  deps: { config: { secretOverlapMs: number } },
  who: Requester,
  endpoint: Endpoint,
  secret: string,
  now: number,
  scheme?: SignatureScheme,
): NonNullable<EndpointChange['rotation']> {
  const changes = auditChanges(
    { secret: endpoint.secret, signatureScheme: endpoint.signatureScheme },
    { secret, signatureScheme: scheme ?? endpoint.signatureScheme },
  );
  const audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.secret_rotated', changes), now);
  return { secret, previousExpiresAt: now + deps.config.secretOverlapMs, ...(scheme && { signatureScheme: scheme }), audit };
}

function checkSecretFits(scheme: SignatureScheme, secret: string): void {
  if (secretFits(scheme, secret)) return;
  throw new ApiError(
    'validation_failed',
    scheme === 'ed25519'
      ? 'an ed25519 endpoint signs with a Standard Webhooks secret key, whsk_…; leave secret out to have one made'
      : `a ${scheme} endpoint signs with a whsec_… secret; leave secret out to have one made`,
  );
}

/** Deletes the endpoint and its deliveries. */
export async function deleteEndpoint(
  deps: { store: Pick<AdminStore, 'findEndpoint' | 'deleteEndpoint'>; clock: Clock },
  who: Requester,
  appId: string,
  id: string,
): Promise<void> {
  const endpoint = await getEndpoint(deps, appId, id);
  const audit = auditEntry(who, endpointFacts(endpoint, 'endpoint.deleted', auditChanges({ ...endpoint }, null)), deps.clock());
  await deps.store.deleteEndpoint(endpoint.appId, endpoint.id, audit);
}
