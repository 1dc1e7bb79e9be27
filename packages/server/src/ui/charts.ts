/** Charts drawn on the server as inline SVG: throughput, success rate and latency per time bucket. No script needed. */
import type { AttemptBucket } from '../store/index.js';
import { type Html, html } from './html.js';

const W = 320;
const H = 110;
const PAD = { left: 34, right: 6, top: 8, bottom: 16 };

export interface Window {
  label: string;
  /** Number of buckets and their width. */
  buckets: number;
  bucketMs: number;
}

export const WINDOWS: Window[] = [
  { label: 'last hour', buckets: 60, bucketMs: 60_000 },
  { label: 'last day', buckets: 48, bucketMs: 30 * 60_000 },
];

/** Fills the missing buckets so index i is bucket i. */
export function dense(series: AttemptBucket[], count: number): (AttemptBucket | null)[] {
  const out: (AttemptBucket | null)[] = Array.from({ length: count }, () => null);
  for (const b of series) if (b.index >= 0 && b.index < count) out[b.index] = b;
  return out;
}

function frame(title: string, max: string, body: Html, startLabel: string): Html {
  const innerH = H - PAD.top - PAD.bottom;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
<title>${title}</title>
<line class="axis" x1="${PAD.left}" y1="${PAD.top + innerH}" x2="${W - PAD.right}" y2="${PAD.top + innerH}"/>
<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + innerH}"/>
<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${max}</text>
<text x="${PAD.left - 4}" y="${PAD.top + innerH}" text-anchor="end">0</text>
<text x="${PAD.left}" y="${H - 3}">${startLabel}</text>
<text x="${W - PAD.right}" y="${H - 3}" text-anchor="end">now</text>
${body}</svg>`;
}

const x = (i: number, n: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / n;
const y = (v: number, max: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (max === 0 ? 0 : v / max));
const round = (n: number) => Math.round(n * 10) / 10;

export function throughputChart(points: (AttemptBucket | null)[], label: string): Html {
  const n = points.length;
  const max = Math.max(1, ...points.map((p) => p?.attempts ?? 0));
  const width = Math.max(1, (W - PAD.left - PAD.right) / n - 1);
  const bars = points.map((p, i) => {
    if (!p) return html``;
    const okTop = y(p.successes, max);
    const allTop = y(p.attempts, max);
    const base = y(0, max);
    return html`<rect class="bar-ok" x="${round(x(i, n))}" y="${round(okTop)}" width="${round(width)}" height="${round(base - okTop)}"/><rect class="bar-bad" x="${round(x(i, n))}" y="${round(allTop)}" width="${round(width)}" height="${round(okTop - allTop)}"/>`;
  });
  const total = points.reduce((sum, p) => sum + (p?.attempts ?? 0), 0);
  return frame(`Attempts, ${label}: ${total} in all, failures in red`, String(max), html`${bars}`, `-${label}`);
}

function lineChart(values: (number | null)[], max: number, title: string, maxLabel: string, label: string): Html {
  const n = values.length;
  const step = (W - PAD.left - PAD.right) / n;
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
  // A lone point draws as a tiny segment so it stays visible.
  const paths = segments.map((d) => html`<path class="line" d="${d.includes('L') ? d : `${d}h1`}"/>`);
  return frame(title, maxLabel, html`${paths}`, `-${label}`);
}

export function successChart(points: (AttemptBucket | null)[], label: string): Html {
  const rates = points.map((p) => (p && p.attempts > 0 ? p.successes / p.attempts : null));
  return lineChart(rates, 1, `Success rate, ${label}`, '100%', label);
}

export function latencyChart(points: (AttemptBucket | null)[], label: string): Html {
  const values = points.map((p) => p?.avgLatencyMs ?? null);
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  return lineChart(values, max, `Mean latency, ${label}, up to ${max} ms`, `${max}ms`, label);
}
