/** Pieces several screens show: charts for a scope, troubled endpoints, notices from a redirect. */
import type { App } from '../domain/index.js';
import type { TroubledEndpoint } from '../store/index.js';
import { dense, latencyChart, successChart, throughputChart, WINDOWS } from './charts.js';
import { statusBadge, when } from './format.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';

/** Notices a redirect after an action asks for, by key: no text from the URL is shown. */
const NOTICES: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  disabled: 'Endpoint disabled; its pending deliveries were failed.',
  enabled: 'Endpoint enabled.',
  'enabled-replayed': 'Endpoint enabled. Replayed what failed while it was disabled: {count} queued again.',
  paused: 'Endpoint paused: its deliveries are held, not attempted, until you resume it.',
  resumed: 'Endpoint resumed: its held deliveries are sent again.',
  rotated: 'Secret rotated. The old one keeps signing beside it for the overlap.',
  published: 'Test event published.',
  retried: 'Delivery retried; it is due now.',
  replayed: 'Failed deliveries replayed.',
};

/** The notice for `key`; a `{count}` in it reads the redirect's count, taken only as a whole number. */
export function noticeFor(key: string | undefined, count?: string): { text: string } | null {
  const text = key ? NOTICES[key] : undefined;
  if (text === undefined) return null;
  return { text: text.replace('{count}', /^\d{1,9}$/.test(count ?? '') ? (count as string) : '?') };
}

export async function chartsFor(kit: UiKit, appId: string | undefined): Promise<Html> {
  const now = kit.ctx.clock();
  const cards = await Promise.all(
    WINDOWS.map(async (w) => {
      const since = now - w.buckets * w.bucketMs;
      const series = await kit.ctx.store.attemptSeries({ since, until: now + 1, bucketMs: w.bucketMs, appId });
      const points = dense(series, w.buckets);
      const attempts = series.reduce((n, b) => n + b.attempts, 0);
      const successes = series.reduce((n, b) => n + b.successes, 0);
      const rate = attempts === 0 ? '—' : `${((successes / attempts) * 100).toFixed(1)}%`;
      return html`<section class="card" aria-labelledby="chart-${w.bucketMs}">
<h3 id="chart-${w.bucketMs}">${w.label[0]?.toUpperCase()}${w.label.slice(1)}: ${attempts} attempts, ${rate} succeeded</h3>
${throughputChart(points, w.label)}${successChart(points, w.label)}${latencyChart(points, w.label)}
</section>`;
    }),
  );
  return html`<div class="cards">${cards}</div>`;
}

export function troubledTable(rows: TroubledEndpoint[], apps: Map<string, App> | null): Html {
  if (rows.length === 0) return html`<p class="muted">No endpoint is failing or disabled.</p>`;
  const body = rows.map(({ endpoint: ep, failingSince }) => {
    const href = `/ui/apps/${encodeURIComponent(ep.appId)}/endpoints/${encodeURIComponent(ep.id)}`;
    return html`<tr>
<td>${ep.disabledAt !== null ? statusBadge('disabled') : statusBadge('failing')}</td>
<td class="wrap"><a href="${href}">${ep.url}</a>${apps ? html`<br><span class="muted">${apps.get(ep.appId)?.name ?? ep.appId}</span>` : ''}</td>
<td>${ep.disabledReason ?? html`failing since ${when(failingSince)}`}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table><thead><tr><th>State</th><th>Endpoint</th><th>Why</th></tr></thead><tbody>${body}</tbody></table></div>`;
}
