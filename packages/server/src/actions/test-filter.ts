/** Trying an endpoint's filter on a sample or a past message without sending anything: "why didn't my endpoint get it?" */
import { type EndpointFilter, FILTER_MISMATCH, filterSubject, filterVerdict } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { checkContentFilter } from './endpoint-rules.js';
import { getEndpoint } from './endpoints.js';
import { ApiError } from './errors.js';
import { pastMessage } from './past-message.js';

export interface FilterSample {
  /** A filter to try instead of the endpoint's saved one (a form's unsaved text); null tries having none. */
  filter?: EndpointFilter | null;
  /** What the filter sees, whole: `{type, timestamp, data}`, or `{body, headers, query}` for a source's app. */
  payload?: Record<string, unknown>;
  /** An event as it would be published: the filter sees its envelope. */
  event?: { type: string; data?: unknown };
  /** A past message of the app: the filter sees what its fan-out saw. */
  messageId?: string;
}

export interface FilterTestResult {
  matches: boolean;
  /** The filter tried; null when there is none (everything matches). */
  filter: EndpointFilter | null;
  /** When it does not match: the first top-level clause that fails on its own, with its path, if one does. */
  failing: { path: string; clause: EndpointFilter } | null;
  /** The reason a skipped delivery would record; null when it matches. */
  reason: string | null;
}

export interface TestFilterDeps {
  store: Pick<AdminStore, 'findEndpoint' | 'findMessage'>;
  clock: () => number;
}

export async function testEndpointFilter(
  deps: TestFilterDeps,
  appId: string,
  endpointId: string,
  sample: FilterSample,
): Promise<FilterTestResult> {
  const endpoint = await getEndpoint(deps, appId, endpointId);
  const filter = sample.filter === undefined ? endpoint.filter : checkContentFilter(sample.filter);
  const subject = await subjectOf(deps, appId, sample);
  if (filter === null) return { matches: true, filter, failing: null, reason: null };
  const verdict = filterVerdict(filter, subject);
  return verdict.matches
    ? { matches: true, filter, failing: null, reason: null }
    : { matches: false, filter, failing: verdict.failing, reason: FILTER_MISMATCH };
}

async function subjectOf(deps: TestFilterDeps, appId: string, sample: FilterSample): Promise<unknown> {
  const given = [sample.payload, sample.event, sample.messageId].filter((s) => s !== undefined).length;
  if (given !== 1) throw new ApiError('validation_failed', 'body: give exactly one of payload, event and messageId');
  if (sample.payload !== undefined) return sample.payload;
  if (sample.event !== undefined) {
    const { type, data = null } = sample.event;
    return { type, timestamp: new Date(deps.clock()).toISOString(), data };
  }
  return filterSubject(await pastMessage(deps.store, appId, sample.messageId as string));
}
