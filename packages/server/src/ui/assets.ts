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
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
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
td.wrap { word-break: break-all; }
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
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .axis { stroke: var(--line); } svg.chart text { fill: var(--muted); font-size: 10px; }
svg.chart .bar-ok { fill: var(--ok); } svg.chart .bar-bad { fill: var(--bad); }
svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
.live { font-size: .85em; } .pager { display: flex; gap: 1rem; margin-top: .8rem; }
.signin { max-width: 26rem; margin: 12vh auto; }
header.top .brand img.logo, .signin img.logo { height: 1.6rem; max-width: 8rem; object-fit: contain; vertical-align: middle; margin-right: .5rem; }
.signin form { display: grid; gap: .6rem; }
@media (max-width: 640px) {
  main { padding: .8rem .7rem 2rem; }
  .grid-form { grid-template-columns: 1fr; }
  header.top .who { margin-left: 0; }
  th, td { padding: .4rem .45rem; }
  .hide-narrow { display: none; }
}
`;

export const JS = `
// Progressive enhancement only: every page works without this script.
const live = document.querySelector('[data-live]');
const status = document.getElementById('live-status');
if (live && 'EventSource' in window) {
  let timer = null;
  const refresh = async () => {
    timer = null;
    const response = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const region of document.querySelectorAll('[data-region]')) {
      const fresh = next.getElementById(region.id);
      // Open <details> stay open across a refresh.
      const open = [...region.querySelectorAll('details[open]')].map((d) => d.id).filter(Boolean);
      if (fresh) region.replaceChildren(...fresh.childNodes);
      for (const id of open) document.getElementById(id)?.setAttribute('open', '');
    }
  };
  const source = new EventSource(live.dataset.live);
  const onChange = () => { if (timer === null) timer = setTimeout(refresh, 250); };
  source.addEventListener('attempt', onChange);
  source.addEventListener('message', onChange);
  source.addEventListener('open', () => { if (status) status.textContent = 'Live'; });
  source.addEventListener('error', () => { if (status && source.readyState !== EventSource.CLOSED) status.textContent = 'Reconnecting…'; });
  // The session was signed out, revoked or expired: stop, and say so, rather than reconnect to a sign-in page.
  source.addEventListener('access-ended', () => {
    source.close();
    if (status) status.textContent = 'Session ended: sign in again for live updates';
  });
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
