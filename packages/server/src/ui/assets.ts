/**
 * The dashboard's one stylesheet and one script, served from memory as /ui/assets/app.css and /ui/assets/app.js:
 * nothing to build, and the strict Content-Security-Policy allows no inline style or script.
 */

export const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --accent: #0969da; --ok: #1a7f37; --bad: #cf222e; --wait: #9a6700; --focus: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d;
  --panel: #151b23; --accent: #4493f8; --ok: #3fb950; --bad: #f85149; --wait: #d29922; --focus: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .6rem 1.2rem;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .3rem 1rem; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 600; text-decoration: none; color: var(--fg); }
header.top .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; color: var(--muted); font-size: .9em; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; overflow-wrap: anywhere; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
.muted { color: var(--muted); } .mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.notice { padding: .6rem .9rem; border: 1px solid var(--ok); border-radius: .4rem; margin-bottom: 1rem; }
.notice.error { border-color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1rem; background: var(--bg); min-width: 0; }
.card h3 { font-size: .95rem; margin: 0 0 .4rem; }
.figure { font-size: 1.6rem; font-weight: 600; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85em; color: var(--muted); font-weight: 600; background: var(--panel); }
tr:last-child td { border-bottom: 0; }
td.wrap, .card h3 { overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .8em; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; white-space: nowrap; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .wait { color: var(--wait); }
form.inline { display: inline; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .6rem 0; }
.grid-form { display: grid; grid-template-columns: 12rem 1fr; gap: .6rem 1rem; align-items: center; max-width: 48rem; }
.grid-form .full { grid-column: 1 / -1; }
label { font-weight: 600; font-size: .9em; }
input, select, textarea, button { font: inherit; color: inherit; }
input, select, textarea { width: 100%; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: .35rem; background: var(--bg); }
label.check { display: flex; gap: .5rem; align-items: center; } label.check input { width: auto; }
.event-type h2 { margin-top: 0; font-size: 1rem; }
fieldset.type-picker { border: 1px solid var(--line); border-radius: .4rem; padding: .4rem .8rem; margin: 0; }
fieldset.type-picker label.check { display: inline-flex; margin: .15rem 1rem .15rem 0; }
textarea { min-height: 5rem; font-family: ui-monospace, monospace; font-size: .9em; }
button, .button { display: inline-block; padding: .4rem .9rem; border: 1px solid var(--line); border-radius: .35rem;
  background: var(--panel); cursor: pointer; text-decoration: none; color: var(--fg); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); border-color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: 1rem; }
.filters > div { display: flex; flex-direction: column; min-width: 10rem; flex: 1 1 10rem; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: .35rem; padding: .6rem; overflow: auto;
  white-space: pre-wrap; word-break: break-all; font-size: .85em; max-height: 24rem; }
details { border: 1px solid var(--line); border-radius: .4rem; padding: .4rem .8rem; margin: .4rem 0; }
details > summary { cursor: pointer; }
q.snippet { display: block; quotes: none; white-space: pre-wrap; word-break: break-all; font-size: .85em; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
.charts .card { display: grid; gap: .8rem; align-content: start; }
figure.chart { margin: 0; font-size: 12px; color: var(--muted); }
figure.chart figcaption { display: flex; flex-wrap: wrap; gap: .1rem .8rem; align-items: baseline; margin-bottom: .25rem; }
figure.chart .chart-title { font-size: 13px; font-weight: 600; color: var(--fg); }
figure.chart .key { display: inline-block; width: .8em; height: .8em; margin-right: .3em; border-radius: 2px; vertical-align: -.05em; }
figure.chart .key.ok { background: var(--ok); } figure.chart .key.bad { background: var(--bad); }
figure.chart .key.line { height: 3px; vertical-align: .25em; background: var(--accent); }
.plot { display: grid; grid-template-columns: 3.6rem minmax(0, 1fr); grid-template-rows: 5.5rem auto; column-gap: .4rem; }
.plot .y-axis { display: flex; flex-direction: column; justify-content: space-between; text-align: right; line-height: 1; }
.plot svg { width: 100%; height: 100%; display: block; overflow: visible; }
.plot .x-axis { grid-column: 2; display: flex; justify-content: space-between; }
.plot .axis { stroke: var(--line); vector-effect: non-scaling-stroke; }
.plot .bar-ok { fill: var(--ok); } .plot .bar-bad { fill: var(--bad); }
.plot .line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linecap: round; vector-effect: non-scaling-stroke; }
.live { font-size: .85em; } .pager { display: flex; gap: 1rem; margin-top: .8rem; }
.signin { max-width: 26rem; margin: 12vh auto; }
header.top .brand img.logo, .signin img.logo { height: 1.6rem; max-width: 8rem; object-fit: contain; vertical-align: middle; margin-right: .5rem; }
.signin form { display: grid; gap: .6rem; }
@media (max-width: 640px) {
  main { padding: .8rem .7rem 2rem; }
  .grid-form { grid-template-columns: 1fr; }
  header.top .who { margin-left: 0; }
  .hide-narrow { display: none; }
  .cards { grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .6rem; }
  .cards.charts { grid-template-columns: 1fr; }
  .figure { font-size: 1.3rem; margin: 0; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .4rem; }
  /* Tables become one card per row, each cell captioned with its column's name. */
  .table-wrap { border: 0; overflow: visible; }
  .table-wrap table, .table-wrap tbody, .table-wrap tr, .table-wrap td, .table-wrap caption { display: block; width: 100%; }
  .table-wrap caption { text-align: left; margin-bottom: .4rem; }
  .table-wrap thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .table-wrap tr { border: 1px solid var(--line); border-radius: .5rem; padding: .35rem .7rem; margin-bottom: .6rem; }
  .table-wrap td { border: 0; padding: .2rem 0; min-width: 0; overflow-wrap: anywhere; }
  .table-wrap td[data-label] { position: relative; padding-left: 7.2rem; min-height: 1.9rem; }
  .table-wrap td[data-label]::before { content: attr(data-label); position: absolute; left: 0; width: 6.6rem;
    color: var(--muted); font: 600 13px/1.3 system-ui, -apple-system, "Segoe UI", sans-serif; padding-top: .15rem; }
  .table-wrap td.hide-narrow { display: none; }
  .badge { white-space: normal; }
}
`;

export const JS = `
// Progressive enhancement only: every page works without this script.
const live = document.querySelector('[data-live]');
const status = document.getElementById('live-status');
if (live && 'EventSource' in window) {
  // Events come in bursts: wait for a quiet moment, fetch at most every GAP_MS, and never while the reader types.
  const QUIET_MS = 300;
  const GAP_MS = 2000;
  const TYPING_MS = 1500;
  const due = new Set();
  let timer = null;
  let lastFetch = 0;
  let lastKey = 0;
  let seen = 0;
  // The counts are shown to no one; they let a test tell an event that was ignored from one not yet received.
  const mark = () => {
    if (!status) return;
    status.dataset.events = String(seen);
    status.dataset.due = String(due.size);
  };
  const say = (text) => {
    if (status) status.textContent = text;
    mark();
  };
  const typing = () => document.activeElement?.matches?.('input, textarea, select') && Date.now() - lastKey < TYPING_MS;
  const later = (ms) => {
    if (timer === null) timer = setTimeout(refresh, ms);
  };
  const refresh = async () => {
    timer = null;
    if (due.size === 0) return;
    // Hidden: visibilitychange brings it back. Typing: wait for a pause; focus and text are left alone meanwhile.
    if (document.hidden) return say('Paused while this tab is hidden');
    if (typing()) {
      say('Paused while you type');
      return later(TYPING_MS);
    }
    if (Date.now() - lastFetch < GAP_MS) return later(lastFetch + GAP_MS - Date.now());
    const ids = [...due];
    due.clear();
    lastFetch = Date.now();
    let text;
    try {
      const response = await fetch(location.href, {
        headers: { accept: 'text/html', 'x-hookd-regions': ids.join(' ') },
        credentials: 'same-origin',
      });
      if (!response.ok) return;
      text = await response.text();
    } catch {
      return;
    }
    const fresh = new DOMParser().parseFromString(text, 'text/html');
    for (const template of fresh.querySelectorAll('template[data-region]')) {
      const region = document.getElementById(template.dataset.region);
      if (!region) continue;
      region.dataset.watch = template.dataset.watch ?? '';
      morph(region, template.content);
    }
    say('Live');
  };
  const onChange = (event) => {
    seen += 1;
    let keys = [];
    try {
      keys = JSON.parse(event.data).keys ?? [];
    } catch {}
    // Only the regions of this page that watch what the event concerns.
    for (const region of document.querySelectorAll('[data-region]')) {
      if ((region.dataset.watch ?? '').split(' ').some((key) => keys.includes(key))) due.add(region.id);
    }
    mark();
    if (due.size > 0) later(QUIET_MS);
  };
  document.addEventListener('keydown', () => { lastKey = Date.now(); }, true);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && due.size > 0) later(0); });
  const source = new EventSource(live.dataset.live);
  source.addEventListener('attempt', onChange);
  source.addEventListener('message', onChange);
  source.addEventListener('recovery', onChange);
  source.addEventListener('open', () => say('Live'));
  source.addEventListener('error', () => { if (source.readyState !== EventSource.CLOSED) say('Reconnecting…'); });
  // The session was signed out, revoked or expired: stop, and say so, rather than reconnect to a sign-in page.
  source.addEventListener('access-ended', () => {
    source.close();
    say('Session ended: sign in again for live updates');
  });
}

// Changes the children of target into those of source, touching only what differs: elements with an id are matched by
// id, others by position. What did not change stays the same node, so focus, open details and the link under the
// pointer stay as they are.
function morph(target, source) {
  const byId = new Map();
  for (const child of target.children) if (child.id) byId.set(child.id, child);
  let cursor = target.firstChild;
  for (const node of [...source.childNodes]) {
    let match = node.nodeType === 1 && node.id ? byId.get(node.id) : null;
    if (!match && cursor && !cursor.id && cursor.nodeType === node.nodeType && cursor.nodeName === node.nodeName) match = cursor;
    if (!match) {
      target.insertBefore(document.importNode(node, true), cursor);
      continue;
    }
    if (match === cursor) cursor = cursor.nextSibling;
    else target.insertBefore(match, cursor);
    update(match, node);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

function update(current, fresh) {
  if (current.isEqualNode(fresh)) return;
  if (current.nodeType !== 1) {
    current.nodeValue = fresh.nodeValue;
    return;
  }
  for (const { name } of [...current.attributes]) {
    // A details the reader opened stays open.
    if (!fresh.hasAttribute(name) && !(name === 'open' && current.nodeName === 'DETAILS')) current.removeAttribute(name);
  }
  for (const { name, value } of fresh.attributes) if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  morph(current, fresh);
}

document.addEventListener('submit', (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !confirm(question)) event.preventDefault();
});
document.addEventListener('click', async (event) => {
  const button = event.target.closest?.('[data-copy]');
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (!target) return;
  try {
    await navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
});
`;
