/**
 * Pausing an endpoint holds its deliveries instead of dropping them: they stay pending and unattempted, their retries
 * untouched, and flow again (in order, for a FIFO endpoint) once it is resumed. Disabling, by contrast, fails them.
 */
import { auditEntry, type Endpoint, type Requester } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { getEndpoint } from './endpoints.js';
import { ApiError } from './errors.js';

export interface PauseDeps {
  store: Pick<AdminStore, 'findEndpoint' | 'updateEndpoint'>;
  clock: () => number;
  /** Wakes this process's worker when deliveries became due. */
  onDeliveriesDue: () => void;
}

/** Holds the endpoint's deliveries from now on; an endpoint paused already stays as it is (and writes no entry). */
export function pauseEndpoint(deps: PauseDeps, who: Requester, appId: string, id: string): Promise<Endpoint> {
  return setPaused(deps, who, appId, id, true);
}

/** Lets the endpoint's held deliveries flow again; one not paused stays as it is. */
export async function resumeEndpoint(deps: PauseDeps, who: Requester, appId: string, id: string): Promise<Endpoint> {
  return setPaused(deps, who, appId, id, false);
}

async function setPaused(deps: PauseDeps, who: Requester, appId: string, id: string, paused: boolean): Promise<Endpoint> {
  const endpoint = await getEndpoint(deps, appId, id);
  if ((endpoint.pausedAt !== null) === paused) return endpoint;
  const now = deps.clock();
  const facts = {
    action: paused ? 'endpoint.paused' : 'endpoint.resumed',
    appId: endpoint.appId,
    target: endpoint.id,
    changes: { paused: { before: !paused, after: paused } },
  };
  const updated = await deps.store.updateEndpoint(endpoint.appId, endpoint.id, { paused }, now, auditEntry(who, facts, now));
  if (!updated) throw new ApiError('endpoint_not_found');
  if (!paused) deps.onDeliveriesDue();
  return updated;
}
