/**
 * Charts drawn on the server, no script needed: throughput, success rate and latency per time bucket. The plot is an
 * SVG stretched to its box; the title, legend and axis labels are HTML beside it, so they keep the page's text size
 * at any width and nothing is clipped at the edge of a viewBox.
 */
import type { AttemptBucket } from '../store/index.js';
import { type Html, html } from './html.js';

const W = 300;
const H = 100;

export interface Window {
  label: string;
  /** What the left end of the time axis reads. */
  start: string;
  /** What one bucket is, for the throughput chart's title. */
  per: string;
  /** Number of buckets and their width. */
  buckets: number;
  bucketMs: number;
}

export const WINDOWS: Window[] = [
  { label: 'last hour', start: '60 min ago', per: 'minute', buckets: 60, bucketMs: 60_000 },
  { label: 'last day', start: '24 h ago', per: '30 minutes', buckets: 48, bucketMs: 30 * 60_000 },
];

/** Fills the missing buckets so index i is bucket i. */
export function dense(series: AttemptBucket[], count: number): (AttemptBucket | null)[] {
  const out: (AttemptBucket | null)[] = Array.from({ length: count }, () => null);
  for (const b of series) if (b.index >= 0 && b.index < count) out[b.index] = b;
  return out;
}

interface Frame {
  title: string;
  /** The longer description screen readers get. */
  description: string;
  legend: Html;
  max: string;
  zero: string;
  window: Window;
}

function frame(f: Frame, plot: Html): Html {
  return html`<figure class="chart">
<figcaption><span class="chart-title">${f.title}</span> <span class="legend">${f.legend}</span></figcaption>
<div class="plot"><div class="y-axis" aria-hidden="true"><span>${f.max}</span><span>${f.zero}</span></div>
<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${f.description}"><title>${f.description}</title>
<line class="axis" x1="0" y1="${H}" x2="${W}" y2="${H}"/><line class="axis" x1="0" y1="0" x2="0" y2="${H}"/>
${plot}</svg>
<div class="x-axis" aria-hidden="true"><span>${f.window.start}</span><span>now</span></div></div>
</figure>`;
}

const key = (tone: string, label: string) => html`<span class="key ${tone}"></span>${label}`;
const x = (i: number, n: number) => (W * i) / n;
const y = (v: number, max: number) => H * (1 - (max === 0 ? 0 : v / max));
const round = (n: number) => Math.round(n * 10) / 10;

export function throughputChart(points: (AttemptBucket | null)[], window: Window): Html {
  const n = points.length;
  const max = Math.max(1, ...points.map((p) => p?.attempts ?? 0));
  const width = Math.max(1, W / n - 1);
  const bars = points.map((p, i) => {
    if (!p) return html``;
    const okTop = y(p.successes, max);
    const allTop = y(p.attempts, max);
    return html`<rect class="bar-ok" x="${round(x(i, n))}" y="${round(okTop)}" width="${round(width)}" height="${round(H - okTop)}"/><rect class="bar-bad" x="${round(x(i, n))}" y="${round(allTop)}" width="${round(width)}" height="${round(okTop - allTop)}"/>`;
  });
  const total = points.reduce((sum, p) => sum + (p?.attempts ?? 0), 0);
  return frame(
    {
      title: `Attempts per ${window.per}`,
      description: `Attempts, ${window.label}: ${total} in all, up to ${max} per ${window.per}, failures in red`,
      legend: html`${key('ok', 'succeeded')} ${key('bad', 'failed')}`,
      max: String(max),
      zero: '0',
      window,
    },
    html`${bars}`,
  );
}

function linePlot(values: (number | null)[], max: number): Html {
  const n = values.length;
  const step = W / n;
  const segments: string[] = [];
  let current = '';
  values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${round(x(i, n) + step / 2)},${round(y(v, max))}`;
  });
  if (current) segments.push(current);
  // A lone point draws as a short segment so it stays visible.
  return html`${segments.map((d) => html`<path class="line" d="${d.includes('L') ? d : `${d}h${round(step / 2)}`}"/>`)}`;
}

export function successChart(points: (AttemptBucket | null)[], window: Window): Html {
  const rates = points.map((p) => (p && p.attempts > 0 ? p.successes / p.attempts : null));
  return frame(
    {
      title: 'Success rate',
      description: `Success rate, ${window.label}, from 0 to 100%`,
      legend: key('line', `share of attempts that got a 2xx, per ${window.per}`),
      max: '100%',
      zero: '0%',
      window,
    },
    linePlot(rates, 1),
  );
}

export function latencyChart(points: (AttemptBucket | null)[], window: Window): Html {
  const values = points.map((p) => p?.avgLatencyMs ?? null);
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  return frame(
    {
      title: 'Mean latency',
      description: `Mean latency, ${window.label}, up to ${Math.round(max)} ms`,
      legend: key('line', `mean time to an answer, per ${window.per}`),
      max: `${Math.round(max)} ms`,
      zero: '0 ms',
      window,
    },
    linePlot(values, max),
  );
}
