/**
 * An endpoint's content filter in the dashboard and the portal: the form field, and "Test the filter", which tries a
 * filter (saved or not) on a sample or a past message through the same action as POST …/endpoints/{ep}/test-filter.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, type FilterSample, type FilterTestResult, getEndpoint, testEndpointFilter } from '../actions/index.js';
import type { Endpoint, EndpointFilter } from '../domain/index.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { csrfField, endpointPath, page } from './layout.js';
import type { Session } from './session.js';

const FILTER_EXAMPLE = '{"type": "invoice.paid", "data.amount": {"$gt": 100}}';
/** A published event's body, as filters and transformations see it. */
export const SAMPLE_EXAMPLE = '{"type": "invoice.paid", "data": {"amount": 150}}';

const pretty = (filter: EndpointFilter | null) => (filter === null ? '' : JSON.stringify(filter, null, 2));

/** The textarea a create or edit form carries (with what was typed, after a refusal); empty means no filter. */
export function filterField(ep: Endpoint | null, typed?: string): Html {
  const id = ep ? 'edit' : 'new';
  return html`<label for="${id}-filter">Filter (JSON)</label>
<textarea id="${id}-filter" name="filter" placeholder="${FILTER_EXAMPLE}" aria-describedby="${id}-filter-help">${typed ?? pretty(ep?.filter ?? null)}</textarea>
<p class="full muted" id="${id}-filter-help">Deliver only messages matching this MongoDB-style query ($eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $not, dotted paths); the others are skipped. Empty for none.</p>`;
}

/** A form's filter text as the actions take it: null when empty; not JSON is a `filter_invalid` the page shows. */
export function parseFilterText(text: string | undefined): EndpointFilter | null {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as EndpointFilter;
  } catch (error) {
    const message = `not valid JSON: ${(error as Error).message}`;
    throw new ApiError('filter_invalid', `filter: ${message}`, [{ path: 'filter', message }]);
  }
}

type TestForm = { filter?: string; sample?: string; messageId?: string };

/** The "Test the filter" form, filled with what was tried last (or the saved filter and an example). */
export function filterTestForm(ep: Endpoint, session: Session, tried: TestForm = {}): Html {
  return html`<h2 id="test-filter">Test the filter</h2>
<form method="post" action="${endpointPath(ep)}/test-filter" class="grid-form" aria-labelledby="test-filter">${csrfField(session)}
<label for="test-filter-filter">Filter (JSON)</label><textarea id="test-filter-filter" name="filter">${tried.filter ?? pretty(ep.filter)}</textarea>
<label for="test-filter-sample">Sample (JSON)</label><textarea id="test-filter-sample" name="sample" placeholder="${SAMPLE_EXAMPLE}">${tried.sample ?? (tried.messageId ? '' : SAMPLE_EXAMPLE)}</textarea>
<label for="test-filter-message">Or a past message</label><input id="test-filter-message" name="messageId" value="${tried.messageId ?? ''}" placeholder="msg_…">
<p class="full muted">The sample is what the filter sees: a published event is <code>{type, timestamp, data}</code>, a source's request <code>{body, headers, query}</code>. Nothing is sent.</p>
<div class="full"><button type="submit">Test</button></div></form>`;
}

function verdict(result: FilterTestResult): Html {
  if (result.matches) return html`<p id="filter-verdict" class="ok">Matches: this endpoint would get it.</p>`;
  const failing = result.failing
    ? html` First failing clause: <code>${result.failing.path}</code> <code>${JSON.stringify(result.failing.clause)}</code>.`
    : '';
  return html`<p id="filter-verdict" class="bad">Does not match: the delivery would be skipped (${result.reason}).${failing}</p>`;
}

export function filterScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;
  ui.post<{ Params: { app: string; ep: string }; Body: TestForm }>(
    '/ui/apps/:app/endpoints/:ep/test-filter',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const ep = await getEndpoint(ctx, app.id, request.params.ep);
      const form = request.body;
      const sample: FilterSample = { filter: parseFilterText(form.filter) };
      const messageId = (form.messageId ?? '').trim();
      if (messageId) sample.messageId = messageId;
      else sample.payload = parseSample(form.sample);
      const result = await testEndpointFilter(ctx, app.id, ep.id, sample);
      const body = html`<p><a href="${endpointPath(ep)}">← Back to the endpoint</a></p>${verdict(result)}${filterTestForm(ep, session, form)}`;
      return kit.send(reply, page({ title: `Filter test: ${ep.url}`, session, app, current: 'endpoints', body }));
    },
  );
}

/** A try form's sample: a JSON object, else an `invalid_json` the page shows. */
export function parseSample(text: string | undefined): Record<string, unknown> {
  try {
    const sample = JSON.parse(text ?? '');
    if (typeof sample === 'object' && sample !== null && !Array.isArray(sample)) return sample;
  } catch {
    // refused below
  }
  throw new ApiError('invalid_json', 'The sample is not a JSON object; or give a message id instead.');
}
