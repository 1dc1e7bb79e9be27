/** What an endpoint's URL, event filters and custom headers must be: the API, the dashboard and sources share these. */
import { AddressRefusedError, hostOf, type Resolver, resolveAllowed } from '../delivery/index.js';
import { checkFilter, type EndpointFilter, endpointHeadersProblem, isEventTypeFilter, type Network } from '../domain/index.js';
import { transformationProblem } from '../transform/index.js';
import { ApiError } from './errors.js';

export interface UrlCheckDeps {
  config: { allowedNetworks: readonly Network[] };
  resolve: Resolver;
}

/** Normalises the URL and refuses what is not http(s) (`invalid_url`) or points where endpoints may not go (`url_not_allowed`). */
export async function checkEndpointUrl(deps: UrlCheckDeps, raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError('invalid_url', `${JSON.stringify(raw)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError('invalid_url', `endpoint URLs must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  try {
    await resolveAllowed(hostOf(url), deps.config.allowedNetworks, deps.resolve);
  } catch (error) {
    if (error instanceof AddressRefusedError) throw new ApiError('url_not_allowed', error.message);
    // A name that does not resolve yet may later; the check at send time still applies.
  }
  return url.href;
}

/** Event-type filters without duplicates; null (every type) when none are given. Refuses a malformed one. */
export function checkFilters(events: readonly string[] | null | undefined): string[] | null {
  if (!events || events.length === 0) return null;
  const bad = events.find((e) => !isEventTypeFilter(e));
  if (bad !== undefined)
    throw new ApiError('invalid_event_type', `${JSON.stringify(bad)} is not an event type or a prefix.* filter`);
  return [...new Set(events)];
}

/** A content filter hookd will run, or null for none; refuses the rest (`filter_invalid`, with the path to the fault). */
export function checkContentFilter(filter: EndpointFilter | null | undefined): EndpointFilter | null {
  if (filter === null || filter === undefined) return null;
  const fault = checkFilter(filter);
  if (fault !== null) throw new ApiError('filter_invalid', `${fault.path}: ${fault.message}`, [fault]);
  // An empty filter matches everything: kept as none.
  return Object.keys(filter).length === 0 ? null : filter;
}

export function checkEndpointHeaders(headers: Record<string, string>): Record<string, string> {
  const problem = endpointHeadersProblem(headers);
  if (problem !== null) throw new ApiError('validation_failed', `body/headers: ${problem}`);
  return headers;
}

/** A transformation that compiles in the sandbox and defines `handler`; null (none) for null or blank source. */
export async function checkTransformation(source: string | null | undefined): Promise<string | null> {
  if (source === null || source === undefined || source.trim() === '') return null;
  const problem = await transformationProblem(source);
  if (problem !== null) throw new ApiError('transformation_invalid', problem);
  return source;
}
