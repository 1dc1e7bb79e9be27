/**
 * Previous and next links over cursor pages, which only go forward: each link carries the cursors of the pages before
 * (`trail`, the newest last), so "previous" goes back one page at a time. Bounded: past the bound, "previous" goes to
 * the first page.
 */
import { type Html, html } from './html.js';

const MAX_TRAIL = 20;

export interface PagerState {
  /** This page's cursor; absent on the first page. */
  after?: string;
  /** The cursors of the pages before this one, comma-separated as the link carries them. */
  trail?: string;
}

/** The cursors of the pages before this one, newest last, from the query. */
function trailOf(state: PagerState): string[] {
  return (state.trail ?? '')
    .split(',')
    .filter((c) => c.length > 0 && c.length <= 128)
    .slice(-MAX_TRAIL);
}

/** `base` with the kept filters and the page's cursor state. */
function link(base: string, keep: URLSearchParams, after: string | undefined, trail: string[]): string {
  const params = new URLSearchParams(keep);
  if (after) params.set('after', after);
  if (trail.length > 0) params.set('trail', trail.join(','));
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

/** The pager's links: first and previous when not on the first page, next when there is more. */
export function pager(
  base: string,
  keep: URLSearchParams,
  state: PagerState,
  nextCursor: string | null,
  labels: { next: string; first: string },
): Html {
  const trail = trailOf(state);
  const links: Html[] = [];
  if (state.after) {
    // The page before is the last cursor of the trail; an empty cursor is the first page.
    const before = trail.at(-1);
    links.push(html`<a href="${link(base, keep, before || undefined, trail.slice(0, -1))}" rel="prev">← Previous</a>`);
    if (before) links.push(html`<a href="${link(base, keep, undefined, [])}">${labels.first}</a>`);
  }
  if (nextCursor) {
    const forward = state.after ? [...trail, state.after] : [];
    const kept = forward.length > MAX_TRAIL ? forward.slice(-MAX_TRAIL) : forward;
    links.push(html`<a href="${link(base, keep, nextCursor, kept)}" rel="next">${labels.next}</a>`);
  }
  return html`<p class="pager">${links}</p>`;
}
