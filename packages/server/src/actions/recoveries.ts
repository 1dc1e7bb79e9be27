/**
 * Recovery jobs: re-queue an app's failed (or succeeded) deliveries that match a filter, in the background. Starting
 * one counts what it matches first; a dry run answers only that count. The job itself is run by the recovery loop of
 * a worker process (ops/recoveries.ts), batch by batch, and can be cancelled between two batches.
 */
import {
  auditEntry,
  isAttemptErrorCode,
  newId,
  type RecoveryCount,
  type RecoveryFilter,
  type RecoveryJob,
  type RecoveryOutcome,
  type Requester,
} from '../domain/index.js';
import type { AdminStore, RecoveryStore } from '../store/index.js';
import { getEndpoint } from './endpoints.js';
import { ApiError } from './errors.js';

export interface RecoveryRequest {
  status?: 'failed' | 'succeeded';
  endpointId?: string;
  eventTypes?: string[];
  since?: number;
  until?: number;
  errorCode?: string;
}

export interface RecoveryDeps {
  store: Pick<AdminStore, 'findEndpoint'> & Pick<RecoveryStore, 'countRecoverable' | 'createRecovery'>;
  clock: () => number;
  /** Tells this process's recovery loop that a job is waiting, so it starts at once rather than at its next look. */
  onRecoveryStarted: () => void;
}

/** A job and, once it has re-queued something, where those deliveries stand now. */
export interface RecoveryView {
  job: RecoveryJob;
  outcome: RecoveryOutcome | null;
}

/** The filter the request stands for: checked against the app's endpoints and the list of attempt error codes. */
async function filterOf(deps: Pick<RecoveryDeps, 'store'>, appId: string, request: RecoveryRequest): Promise<RecoveryFilter> {
  if (request.endpointId !== undefined) {
    const endpoint = await getEndpoint(deps, appId, request.endpointId);
    if (endpoint.disabledAt !== null) throw new ApiError('endpoint_disabled');
  }
  if (request.errorCode !== undefined && !isAttemptErrorCode(request.errorCode)) {
    throw new ApiError('validation_failed', `errorCode ${JSON.stringify(request.errorCode)} is not an attempt error code`, [
      { path: '/errorCode', message: 'not an attempt error code' },
    ]);
  }
  if (request.since !== undefined && request.until !== undefined && request.since >= request.until) {
    throw new ApiError('validation_failed', 'since must be before until', [{ path: '/until', message: 'not after since' }]);
  }
  const filter: RecoveryFilter = { status: request.status ?? 'failed' };
  if (request.endpointId !== undefined) filter.endpointId = request.endpointId;
  if (request.eventTypes !== undefined && request.eventTypes.length > 0) filter.eventTypes = [...new Set(request.eventTypes)];
  if (request.since !== undefined) filter.since = request.since;
  if (request.until !== undefined) filter.until = request.until;
  if (request.errorCode !== undefined) filter.errorCode = request.errorCode;
  return filter;
}

/** What the filter matches now, per endpoint; nothing is changed. */
export async function countRecovery(
  deps: Pick<RecoveryDeps, 'store'>,
  appId: string,
  request: RecoveryRequest,
): Promise<RecoveryCount & { filter: RecoveryFilter }> {
  const filter = await filterOf(deps, appId, request);
  return { filter, ...(await deps.store.countRecoverable(appId, filter)) };
}

/** Starts a job over what the filter matches, with that count as its total, and records who started it. */
export async function startRecovery(
  deps: RecoveryDeps,
  who: Requester,
  appId: string,
  request: RecoveryRequest,
): Promise<RecoveryJob> {
  const { filter, total } = await countRecovery(deps, appId, request);
  const now = deps.clock();
  const id = newId('rcv', now);
  const job: RecoveryJob = {
    id,
    appId,
    filter,
    status: 'running',
    total,
    requeued: 0,
    scanned: 0,
    createdBy: who.actor,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  const changes = { filter: { after: filter }, total: { after: total } };
  await deps.store.createRecovery(job, auditEntry(who, { action: 'recovery.started', appId, target: id, changes }, now));
  deps.onRecoveryStarted();
  return job;
}

export async function getRecovery(
  deps: { store: Pick<RecoveryStore, 'findRecovery' | 'recoveryOutcome'> },
  appId: string,
  id: string,
): Promise<RecoveryView> {
  const job = await deps.store.findRecovery(appId, id);
  if (!job) throw new ApiError('recovery_not_found', `app ${appId} has no recovery job ${JSON.stringify(id)}`);
  return { job, outcome: job.requeued > 0 ? await deps.store.recoveryOutcome(job.id) : null };
}

/** Stops a running job after its batch in progress; what it re-queued so far stays queued. */
export async function cancelRecovery(
  deps: { store: Pick<RecoveryStore, 'findRecovery' | 'cancelRecovery'>; clock: () => number },
  who: Requester,
  appId: string,
  id: string,
): Promise<RecoveryJob> {
  const now = deps.clock();
  const changes = { status: { before: 'running', after: 'cancelled' } };
  const audit = auditEntry(who, { action: 'recovery.cancelled', appId, target: id, changes }, now);
  const cancelled = await deps.store.cancelRecovery(appId, id, now, audit);
  if (cancelled) return cancelled;
  const job = await deps.store.findRecovery(appId, id);
  if (!job) throw new ApiError('recovery_not_found', `app ${appId} has no recovery job ${JSON.stringify(id)}`);
  throw new ApiError('recovery_not_running', `recovery job ${id} is ${job.status} already`);
}
