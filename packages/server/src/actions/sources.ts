/**
 * The source operations (inbound webhooks). A source owns an app: its destinations are that app's endpoints, so
 * everything done to endpoints and deliveries works on them unchanged.
 */
import { addressSet } from '@hookd/sdk/receiver';
import { SCHEMES, WebhookVerificationError } from '@hookd/sdk/verify';
import {
  auditChanges,
  auditEntry,
  compileJsonSchema,
  type Endpoint,
  forwardHeaderProblem,
  newEndpoint,
  newId,
  type Requester,
  type Source,
  type SourceRateLimit,
  type SourceScheme,
} from '../domain/index.js';
import { type AdminStore, type SourcePatch, StoreConflictError } from '../store/index.js';
import { checkEndpointUrl, checkFilters, type UrlCheckDeps } from './endpoint-rules.js';
import { ApiError } from './errors.js';

/** What a caller chooses for a source; the rest takes its defaults. */
export interface SourceInput {
  name: string;
  scheme: SourceScheme;
  secrets?: string[];
  allowIps?: string[];
  rateLimit?: { perSecond: number; burst?: number } | null;
  schema?: Record<string, unknown> | null;
  forwardHeaders?: string[];
  destinations: { url: string; events?: string[] | null }[];
}
export type SourceChanges = Partial<Pick<SourceInput, 'secrets' | 'allowIps' | 'rateLimit' | 'schema' | 'forwardHeaders'>>;

function checkSecrets(scheme: SourceScheme, secrets: string[]): string[] {
  if (scheme === 'none') {
    if (secrets.length > 0) throw new ApiError('validation_failed', 'body/secrets must be empty for the scheme none');
    return secrets;
  }
  if (secrets.length === 0) throw new ApiError('validation_failed', `body/secrets needs the ${scheme} signing secret`);
  try {
    // Signing once shows whether the scheme can use the secrets (Standard Webhooks wants base64 `whsec_…`).
    SCHEMES[scheme].sign({ body: '', secrets, timestamp: 0 });
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new ApiError('validation_failed', `body/secrets: ${error.message}`);
    throw error;
  }
  return secrets;
}

/** Parsed as ingest will parse it (the SDK receiver's allowlist), so what is accepted here works there. */
function checkAllowIps(entries: string[]): string[] {
  try {
    addressSet(entries, 'allow_ips_invalid');
  } catch (error) {
    throw new ApiError('validation_failed', `body/allowIps: ${(error as Error).message}`);
  }
  return entries;
}

function checkSchema(schema: Record<string, unknown> | null): Record<string, unknown> | null {
  if (schema === null) return null;
  try {
    compileJsonSchema(schema);
  } catch (error) {
    throw new ApiError('validation_failed', `body/schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return schema;
}

/** Lower-cased and without repeats; a name the gateway must never forward is a validation error. */
function checkForwardHeaders(names: string[]): string[] {
  for (const name of names) {
    const problem = forwardHeaderProblem(name);
    if (problem !== null) throw new ApiError('validation_failed', `body/forwardHeaders: ${problem}`);
  }
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

const rateOf = (given: SourceInput['rateLimit']): SourceRateLimit | null =>
  given ? { perSecond: given.perSecond, burst: given.burst ?? Math.max(1, Math.ceil(given.perSecond)) } : null;

const nameTaken = (name: string) => new ApiError('source_name_taken', `a source is named ${name} already`);

/** The source with this id or name, or `source_not_found`. */
export async function getSource(deps: { store: Pick<AdminStore, 'findSource'> }, idOrName: string): Promise<Source> {
  const source = await deps.store.findSource(idOrName);
  if (!source) throw new ApiError('source_not_found', `no source has the id or name ${JSON.stringify(idOrName)}`);
  return source;
}

export interface CreateSourceDeps extends UrlCheckDeps {
  store: Pick<AdminStore, 'findSource' | 'createSourceWithDestinations'>;
  clock: () => number;
  config: UrlCheckDeps['config'] & { maxEndpointsPerApp: number };
}

/**
 * Checks everything first, then writes the source, its app and its destinations in one transaction: a refusal or
 * a failure leaves nothing half-made behind.
 */
export async function createSource(
  deps: CreateSourceDeps,
  who: Requester,
  input: SourceInput,
): Promise<{ source: Source; destinations: Endpoint[] }> {
  if (input.name.startsWith('src_')) throw new ApiError('validation_failed', 'body/name may not start with src_ (ids do)');
  const secrets = checkSecrets(input.scheme, input.secrets ?? []);
  const allowIps = checkAllowIps(input.allowIps ?? []);
  const schema = checkSchema(input.schema ?? null);
  const forwardHeaders = checkForwardHeaders(input.forwardHeaders ?? []);
  const targets = [];
  for (const d of input.destinations) targets.push({ url: await checkEndpointUrl(deps, d.url), events: checkFilters(d.events) });
  if (await deps.store.findSource(input.name)) throw nameTaken(input.name);
  const limit = deps.config.maxEndpointsPerApp;
  if (targets.length > limit) {
    throw new ApiError(
      'endpoint_limit_reached',
      `the app has ${limit} endpoints, the most one app may have (HOOKD_MAX_ENDPOINTS_PER_APP); delete one first`,
    );
  }

  const now = deps.clock();
  const appId = newId('app', now);
  const destinations = targets.map((target) =>
    newEndpoint({ appId, url: target.url, description: `destination of source ${input.name}`, events: target.events }, now),
  );
  const source = {
    id: newId('src', now),
    name: input.name,
    appId,
    scheme: input.scheme,
    secrets,
    allowIps,
    rateLimit: rateOf(input.rateLimit),
    schema,
    forwardHeaders,
    refusals: 0,
    lastRefusal: null,
    createdAt: now,
    updatedAt: now,
  };
  const changes = auditChanges(null, { ...source, destinations: destinations.map((d) => d.url) });
  const audit = auditEntry(who, { action: 'source.created', appId, target: source.id, changes }, now);
  try {
    return await deps.store.createSourceWithDestinations({
      app: { id: appId, uid: null, name: `source ${input.name}`, createdAt: now, updatedAt: now },
      destinations,
      source,
      audit,
    });
  } catch (error) {
    if (error instanceof StoreConflictError) throw nameTaken(input.name);
    throw error;
  }
}

/** Checks and applies the changes; the caller forgets what it cached of the source. */
export async function updateSource(
  deps: { store: Pick<AdminStore, 'findSource' | 'updateSource'>; clock: () => number },
  who: Requester,
  idOrName: string,
  changes: SourceChanges,
): Promise<Source> {
  const source = await getSource(deps, idOrName);
  const { secrets, allowIps, rateLimit, schema, forwardHeaders } = changes;
  const patch: SourcePatch = {};
  if (secrets !== undefined) patch.secrets = checkSecrets(source.scheme, secrets);
  if (allowIps !== undefined) patch.allowIps = checkAllowIps(allowIps);
  if (rateLimit !== undefined) patch.rateLimit = rateOf(rateLimit);
  if (schema !== undefined) patch.schema = checkSchema(schema);
  if (forwardHeaders !== undefined) patch.forwardHeaders = checkForwardHeaders(forwardHeaders);
  const now = deps.clock();
  const diff = auditChanges({ ...source }, { ...patch });
  const audit = auditEntry(who, { action: 'source.updated', appId: source.appId, target: source.id, changes: diff }, now);
  const updated = await deps.store.updateSource(source.id, patch, now, audit);
  if (!updated) throw new ApiError('source_not_found');
  return updated;
}

/** Deletes the source with its app: its destinations and what it ingested go with it. Returns what was deleted. */
export async function deleteSource(
  deps: { store: Pick<AdminStore, 'findSource' | 'deleteApp'>; clock: () => number },
  who: Requester,
  idOrName: string,
): Promise<Source> {
  const source = await getSource(deps, idOrName);
  const changes = auditChanges({ ...source }, null, ['createdAt', 'updatedAt', 'refusals', 'lastRefusal']);
  const facts = { action: 'source.deleted', appId: source.appId, target: source.id, changes };
  await deps.store.deleteApp(source.appId, auditEntry(who, facts, deps.clock()));
  return source;
}
