/**
 * Live regions: the parts of a page that live updates refresh. Each names the events that concern it; the page's
 * script asks for just the regions an event concerns (header `x-hookd-regions`) and gets only their markup back,
 * so a message page with a large payload is not downloaded again for every attempt.
 */
import { type Html, html } from './html.js';

/** The request header that asks for some regions of a page instead of the whole page. */
export const REGIONS_HEADER = 'x-hookd-regions';

/** What an event in the live stream concerns: the keys a region can watch. */
export const watchKeys = {
  /** Any delivery attempt in the stream's scope (an app, or every app for the overview). */
  anyAttempt: 'attempts',
  /** Any new message in the app. */
  anyMessage: 'messages',
  endpoint: (id: string) => `endpoint:${id}`,
  message: (id: string) => `message:${id}`,
};

/**
 * A region `id`, refreshed when an event with one of the `watch` keys arrives. Its content sits between two comments
 * that mark where it starts and ends, so the server can cut it out of the page it rendered; user text cannot forge
 * them, since every `<` in it is escaped.
 */
export function region(id: string, watch: string[], content: Html, className = ''): Html {
  return html`<div id="${id}"${className ? html` class="${className}"` : ''} data-region data-watch="${watch.join(' ')}"><!--${id}-->${content}<!--/${id}--></div>`;
}

/**
 * The asked-for regions of a rendered page, each as a `<template data-region="id" data-watch="…">` (what a region
 * watches changes with what it shows); unknown ids are left out.
 */
export function regionsOf(page: string, header: string): string {
  const ids = [...new Set(header.split(/[\s,]+/).filter((id) => /^[\w-]{1,64}$/.test(id)))].slice(0, 16);
  return ids
    .map((id) => {
      const start = page.indexOf(`<!--${id}-->`);
      const close = `<!--/${id}-->`;
      const end = page.indexOf(close, start);
      if (start < 0 || end < 0) return '';
      // region() writes `data-watch="…">` right before the opening marker.
      const watch = /data-watch="([^"]*)">$/.exec(page.slice(Math.max(0, start - 8192), start))?.[1] ?? '';
      // The markers go too: the region's children then match the page's one for one.
      return `<template data-region="${id}" data-watch="${watch}">${page.slice(start, end + close.length)}</template>`;
    })
    .join('\n');
}
