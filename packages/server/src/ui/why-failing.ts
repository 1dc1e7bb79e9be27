/** Why an endpoint fails, as the overview, the app page and the endpoint page show it: its last error and error mix. */
import { type Attempt, type Endpoint, HEALTH_WINDOWS_MS } from '../domain/index.js';
import type { EndpointErrors, ErrorMixEntry } from '../store/index.js';
import { statusBadge, when } from './format.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';

/** Characters of a response body shown beside the last error; the attempt shows all that was kept. */
const SNIPPET = 160;

/** Each endpoint's last error (within a day) and the error mix of the last hour. */
export function errorsOf(kit: UiKit, endpointIds: string[]): Promise<Record<string, EndpointErrors>> {
  const now = kit.ctx.clock();
  return kit.ctx.store.endpointErrors(endpointIds, {
    mixSince: now - HEALTH_WINDOWS_MS['1h'],
    lastSince: now - HEALTH_WINDOWS_MS['24h'],
  });
}

/** `http_status 500`, `headers_timeout`: what one kind of failure is called. */
const kindOf = (e: { code: string; status: number | null }) => (e.status === null ? e.code : `${e.code} ${e.status}`);

export function errorMix(mix: ErrorMixEntry[]): Html {
  if (mix.length === 0) return html`<span class="muted">no failed attempt in the last hour</span>`;
  return html`<span class="error-mix">${mix.map((e, i) => html`${i > 0 ? ', ' : ''}<code>${kindOf(e)}</code> ×${e.count}`)}</span>`;
}

/** The last failed attempt: its code and status, what happened, a snippet of the answer, when. */
export function lastError(attempt: Attempt | null): Html {
  if (attempt === null || attempt.error === null) return html`<span class="muted">no failed attempt in the last day</span>`;
  const { error } = attempt;
  const body = (attempt.responseBody ?? '').trim();
  const snippet = body.length > SNIPPET ? `${body.slice(0, SNIPPET)}…` : body;
  return html`<code>${kindOf({ code: error.code, status: attempt.responseStatus })}</code> ${error.message}
${snippet ? html`<q class="snippet mono">${snippet}</q>` : ''} <span class="muted">${when(attempt.startedAt)}</span>`;
}

/**
 * Disabled or paused (both may hold), failing (a run of failures, or a failure rate over the `endpoint.failing`
 * threshold) or enabled.
 */
export function endpointState(
  ep: Pick<Endpoint, 'disabledAt' | 'pausedAt'>,
  failingSince: number | null,
  failingAlertedAt: number | null,
): Html {
  if (ep.disabledAt !== null)
    return html`${statusBadge('disabled')}${ep.pausedAt !== null ? html` ${statusBadge('paused')}` : ''}`;
  const failing = failingSince !== null || failingAlertedAt !== null ? statusBadge('failing') : null;
  if (ep.pausedAt !== null) return html`${statusBadge('paused')}${failing ? html` ${failing}` : ''}`;
  return failing ?? statusBadge('enabled');
}

/** Why the state is failing, in words: since when, and by which rule. */
export function failingWhy(failingSince: number | null, failingAlertedAt: number | null, threshold: number): Html {
  const parts: Html[] = [];
  if (failingSince !== null) parts.push(html`every attempt failed since ${when(failingSince)}`);
  if (failingAlertedAt !== null)
    parts.push(
      html`failure rate over ${Math.round(threshold * 100)}% (<code>endpoint.failing</code> since ${when(failingAlertedAt)})`,
    );
  return html`${parts.map((p, i) => html`${i > 0 ? '; ' : ''}${p}`)}`;
}
