/** Small display helpers shared by the pages. */
import type { AttemptError, DeliveryStatus } from '../domain/index.js';
import { type Html, html } from './html.js';

export const iso = (ms: number) => new Date(ms).toISOString();
/** `2026-01-01 12:00:05 UTC`, in a <time> a reader can parse. */
export const when = (ms: number | null) =>
  ms === null ? html`—` : html`<time datetime="${iso(ms)}">${iso(ms).slice(0, 19).replace('T', ' ')} UTC</time>`;

export const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`);

const TONES: Record<DeliveryStatus | 'disabled' | 'failing' | 'enabled' | 'paused', string> = {
  succeeded: 'ok',
  enabled: 'ok',
  pending: 'wait',
  // Held on purpose, nothing lost: waiting, not failing.
  paused: 'wait',
  // Held back on purpose: no failure, so not painted as one.
  skipped: 'muted',
  failed: 'bad',
  disabled: 'bad',
  failing: 'bad',
};

export function statusBadge(status: keyof typeof TONES): Html {
  const tone = TONES[status];
  return html`<span class="badge ${tone}">${status}</span>`;
}

/** The answer's status, or for an attempt that got none its error code (the message as the tooltip). */
export function httpStatus(status: number | null, error: AttemptError | null): Html {
  if (status === null) return html`<span class="badge bad" title="${error?.message ?? ''}">${error?.code ?? 'no answer'}</span>`;
  return html`<span class="badge ${status >= 200 && status < 300 ? 'ok' : 'bad'}">${status}</span>`;
}

/** An attempt's error as the details show it: the code to look up in the README, then what happened. */
export function attemptError(error: AttemptError | null): Html {
  return error === null ? html`—` : html`<code>${error.code}</code> ${error.message}`;
}

/** `datetime-local` inputs carry no zone: hookd reads and shows them as UTC. */
export function parseUtcInput(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const utcInputValue = (ms: number | undefined) => (ms === undefined ? '' : iso(ms).slice(0, 16));

/** Headers one a line, as they went over the wire; empty for none. */
export const headerLines = (headers: Record<string, string> | null | undefined): string =>
  headers
    ? Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n')
    : '';

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
