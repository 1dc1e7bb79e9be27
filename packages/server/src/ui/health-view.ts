/** Pieces several screens show: charts for a scope, troubled endpoints, notices from a redirect. */
import type { App } from '../domain/index.js';
import type { EndpointErrors, TroubledEndpoint } from '../store/index.js';
import { dense, latencyChart, successChart, throughputChart, WINDOWS } from './charts.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { endpointState, errorMix, errorsOf, failingWhy, lastError } from './why-failing.js';

/** Notices a redirect after an action asks for, by key: no text from the URL is shown. */
const NOTICES: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  disabled: 'Endpoint disabled; its pending deliveries were failed.',
  enabled: 'Endpoint enabled.',
  'enabled-replayed': 'Endpoint enabled. Replayed what failed while it was disabled: {n} queued again.',
  paused: 'Endpoint paused: its deliveries are held, not attempted, until you resume it.',
  resumed: 'Endpoint resumed: its held deliveries are sent again.',
  rotated: 'Secret rotated. The old one keeps signing beside it for the overlap.',
  published: 'Test event published.',
  tested: 'Test event sent to the endpoint chosen, and to no other.',
  retried: 'Delivery retried; it is due now.',
  replayed: 'Failed deliveries replayed.',
  queued: 'Failed deliveries queued for retry: {n}. They are due now.',
};

/** The notice for a key; `{n}` in it is the count the redirect carried, read as a number only. */
export function noticeFor(key: string | undefined, count?: string): { text: string } | null {
  if (key === 'replayed' && count !== undefined && /^\d{1,9}$/.test(count)) {
    const n = Number(count);
    return {
      text:
        n === 0
          ? 'Nothing to replay: no failed delivery since that time.'
          : `Replayed: ${n} ${n === 1 ? 'delivery' : 'deliveries'} queued.`,
    };
  }
  const text = key ? NOTICES[key] : undefined;
  if (!text) return null;
  return { text: text.replace('{n}', String(Number.parseInt(count ?? '', 10) || 0)) };
}

/** A card of charts per time window; a window without attempts says so in a line, and no attempt at all in one note. */
export async function chartsFor(kit: UiKit, appId: string | undefined): Promise<Html> {
  const now = kit.ctx.clock();
  const windows = await Promise.all(
    WINDOWS.map(async (w) => {
      const since = now - w.buckets * w.bucketMs;
      const series = await kit.ctx.store.attemptSeries({ since, until: now + 1, bucketMs: w.bucketMs, appId });
      const attempts = series.reduce((n, b) => n + b.attempts, 0);
      const successes = series.reduce((n, b) => n + b.successes, 0);
      return { w, points: dense(series, w.buckets), attempts, successes };
    }),
  );
  if (windows.every((window) => window.attempts === 0)) {
    const longest = WINDOWS.at(-1)?.label ?? '';
    return html`<p class="muted empty-charts">No delivery attempts in the ${longest}: the charts appear with the first one.</p>`;
  }
  const cards = windows.map(({ w, points, attempts, successes }) => {
    const heading = `${w.label[0]?.toUpperCase()}${w.label.slice(1)}`;
    const rate = attempts === 0 ? '' : `, ${((successes / attempts) * 100).toFixed(1)}% succeeded`;
    return html`<section class="card" aria-labelledby="chart-${w.bucketMs}">
<h3 id="chart-${w.bucketMs}">${heading}: ${attempts} attempts${rate}</h3>
${attempts === 0 ? html`<p class="muted">No attempts in the ${w.label}.</p>` : html`${throughputChart(points, w)}${successChart(points, w)}${latencyChart(points, w)}`}
</section>`;
  });
  return html`<div class="cards charts">${cards}</div>`;
}

/** Troubled endpoints with why: the disabled reason or the failing rule, the last error and the last hour's mix. */
export async function troubledTable(kit: UiKit, rows: TroubledEndpoint[], apps: Map<string, App> | null): Promise<Html> {
  if (rows.length === 0) return html`<p class="muted">No endpoint is failing or disabled.</p>`;
  const errors = await errorsOf(
    kit,
    rows.map((r) => r.endpoint.id),
  );
  const threshold = kit.ctx.config.ops.failingThreshold;
  const body = rows.map(({ endpoint: ep, failingSince, failingAlertedAt }) => {
    const href = `/ui/apps/${encodeURIComponent(ep.appId)}/endpoints/${encodeURIComponent(ep.id)}`;
    const why: EndpointErrors | undefined = errors[ep.id];
    return html`<tr id="troubled-${ep.id}">
<td data-label="State">${endpointState(ep, failingSince, failingAlertedAt)}</td>
<td class="wrap" data-label="Endpoint"><a href="${href}">${ep.url}</a>${apps ? html`<br><span class="muted">${apps.get(ep.appId)?.name ?? ep.appId}</span>` : ''}</td>
<td class="wrap why" data-label="Why">${ep.disabledReason ?? failingWhy(failingSince, failingAlertedAt, threshold)}
<br>Last error: ${lastError(why?.lastError ?? null)}<br>Last hour: ${errorMix(why?.mix ?? [])}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table><thead><tr><th>State</th><th>Endpoint</th><th>Why</th></tr></thead><tbody>${body}</tbody></table></div>`;
}
