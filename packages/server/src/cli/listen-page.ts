/**
 * The page `hookd listen` serves at /_hookd: one static file, no build. It lists caught requests live (SSE),
 * shows one in full, copies it as curl and replays it to another URL. Data is only ever set as text, never as HTML.
 */
export const LISTEN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hookd listen</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --line: #8884; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --sel: #0969da22; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, sans-serif; height: 100vh; display: flex; flex-direction: column; }
  header { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 1rem; margin: 0; }
  .hint { margin-left: auto; opacity: .7; font-size: .85em; }
  main { flex: 1; display: grid; grid-template-columns: minmax(16rem, 26rem) 1fr; min-height: 0; }
  nav { border-right: 1px solid var(--line); overflow: auto; }
  #list { list-style: none; margin: 0; padding: 0; }
  #list button { all: unset; box-sizing: border-box; display: grid; grid-template-columns: 4rem 1fr auto; gap: .1rem .5rem;
    width: 100%; padding: .45rem .8rem; border-bottom: 1px solid var(--line); cursor: pointer; }
  #list button:focus-visible { outline: 2px solid #0969da; outline-offset: -2px; }
  #list button[aria-current="true"] { background: var(--sel); }
  .method { font-weight: 600; font-family: ui-monospace, monospace; }
  .path { font-family: ui-monospace, monospace; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .meta { grid-column: 2 / 4; opacity: .75; font-size: .85em; }
  .badge { font-size: .8em; padding: 0 .35rem; border-radius: .6rem; border: 1px solid currentColor; }
  .ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
  .new { animation: flash 1.2s ease-out; } @keyframes flash { from { background: #ffd33d55; } }
  #detail { overflow: auto; padding: 1rem 1.4rem; }
  #detail h2 { font: 600 1.05rem ui-monospace, monospace; margin: 0 0 .4rem; word-break: break-all; }
  table { border-collapse: collapse; font: .9em ui-monospace, monospace; }
  td { padding: .1rem .8rem .1rem 0; vertical-align: top; word-break: break-all; }
  td:first-child { opacity: .7; white-space: nowrap; }
  pre { background: #8881; padding: .7rem; border-radius: .3rem; overflow: auto; font-size: .9em; white-space: pre-wrap; word-break: break-all; }
  .actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: .8rem 0; }
  .actions input { width: 22rem; max-width: 100%; font: inherit; padding: .2rem .4rem; }
  button.action { font: inherit; padding: .25rem .7rem; cursor: pointer; }
  #empty { padding: 1rem; opacity: .75; }
  kbd { font: .85em ui-monospace, monospace; border: 1px solid var(--line); border-radius: .2rem; padding: 0 .25rem; }
</style>
</head>
<body>
<header>
  <h1>hookd listen</h1>
  <span id="conn" role="status">connecting…</span>
  <span class="hint"><kbd>j</kbd>/<kbd>k</kbd> or <kbd>↑</kbd>/<kbd>↓</kbd> move · <kbd>c</kbd> copy as curl · <kbd>r</kbd> replay</span>
</header>
<main>
  <nav aria-label="Caught requests">
    <ul id="list"></ul>
    <p id="empty">Waiting for requests. Send one to <code id="origin"></code>, e.g. with <code>hookd send</code> or <code>hookd trigger</code>.</p>
  </nav>
  <section id="detail" aria-live="polite"><p>Select a request to see it in full.</p></section>
</main>
<script>
'use strict';
const api = '/_hookd/api';
const list = document.getElementById('list');
const detail = document.getElementById('detail');
const conn = document.getElementById('conn');
document.getElementById('origin').textContent = location.origin + '/';
const items = new Map();
let selected = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}
function statusClass(s) { return s == null ? 'warn' : s >= 200 && s < 300 ? 'ok' : s >= 500 ? 'bad' : 'warn'; }
function time(iso) { return new Date(iso).toLocaleTimeString(); }
function size(n) { return n < 1024 ? n + ' B' : (n / 1024).toFixed(1) + ' KiB'; }
function pretty(text) { try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; } }

function row(summary, fresh) {
  const verified = summary.verified == null ? null
    : el('span', { class: 'badge ' + (summary.verified ? 'ok' : 'bad') }, summary.verified ? 'signature ✓' : 'signature ✗');
  const button = el('button', { 'data-id': String(summary.id), 'aria-current': 'false', onclick: () => select(summary.id) },
    el('span', { class: 'method' }, summary.method),
    el('span', { class: 'path', title: summary.path }, summary.path),
    el('span', { class: 'badge ' + statusClass(summary.responseStatus) }, String(summary.responseStatus ?? '…')),
    el('span', { class: 'meta' }, '#' + summary.id + ' · ' + time(summary.receivedAt) + ' · ' + size(summary.size) +
      (summary.eventType ? ' · ' + summary.eventType : '') + ' ', verified));
  const li = el('li', fresh ? { class: 'new' } : {}, button);
  li.dataset.id = String(summary.id);
  return li;
}

function add(summary, fresh) {
  if (items.has(summary.id)) return;
  items.set(summary.id, summary);
  const li = row(summary, fresh);
  // Newest first: insert before the first row with a smaller id.
  const after = [...list.children].find((other) => Number(other.dataset.id) < summary.id);
  list.insertBefore(li, after || null);
  document.getElementById('empty').hidden = true;
}

async function select(id, focus) {
  selected = id;
  for (const b of list.querySelectorAll('button')) b.setAttribute('aria-current', String(Number(b.dataset.id) === id));
  const button = list.querySelector('button[data-id="' + id + '"]');
  if (focus && button) button.focus();
  const res = await fetch(api + '/requests/' + id);
  if (!res.ok) { detail.replaceChildren(el('p', { class: 'bad' }, 'Request #' + id + ' is gone.')); return; }
  show(await res.json());
}

function show(r) {
  const v = r.verification;
  const verification = v == null ? el('p', {}, 'Signature not checked (start hookd listen with --secret to check it).')
    : v.ok ? el('p', { class: 'ok', id: 'verification' }, '✓ Signature verified (' + v.scheme + (v.detected ? ', detected' : '') + ')')
    : el('p', { class: 'bad', id: 'verification' }, '✗ Signature not verified: ' + v.code + ' (' + v.scheme + ') — ' + v.message);
  const answer = el('p', {}, 'Answered ', el('span', { class: statusClass(r.responseStatus) }, String(r.responseStatus ?? '…')),
    r.forward ? ' · forwarded to ' + r.forward.url + ': ' + (r.forward.status ?? r.forward.error) + ' in ' + r.forward.durationMs + ' ms' : '');
  const headers = el('table', {}, el('tbody', {}, ...Object.entries(r.headers).map(([k, val]) => el('tr', {}, el('td', {}, k), el('td', {}, val)))));
  const url = el('input', { id: 'replay-url', type: 'url', required: '', placeholder: 'http://127.0.0.1:4000/webhook', 'aria-label': 'Replay to URL' });
  url.value = localStorage.getItem('hookd-replay-url') || '';
  const result = el('output', { id: 'replay-result', for: 'replay-url' });
  const copied = el('span', { id: 'copied', role: 'status' });
  const form = el('form', { class: 'actions', onsubmit: (e) => { e.preventDefault(); replay(r.id, url.value, result); } },
    el('button', { class: 'action', type: 'button', id: 'copy-curl', onclick: () => copy(r.curl, copied) }, 'Copy as curl'), copied,
    el('label', {}, 'Replay to ', url), el('button', { class: 'action', type: 'submit', id: 'replay' }, 'Replay'), result);
  detail.replaceChildren(
    el('h2', {}, r.method + ' ' + r.path),
    el('p', {}, '#' + r.id + ' · ' + new Date(r.receivedAt).toLocaleString() + ' · ' + size(r.size) + (r.eventType ? ' · ' + r.eventType : '')),
    verification, answer, form,
    el('h3', {}, 'Headers'), headers,
    el('h3', {}, 'Body'), el('pre', { id: 'body' }, r.body === '' ? '(empty)' : pretty(r.body)),
    r.forward && r.forward.body != null ? el('h3', {}, 'The app answered') : null,
    r.forward && r.forward.body != null ? el('pre', {}, pretty(r.forward.body)) : null,
    el('h3', {}, 'As curl'), el('pre', { id: 'curl' }, r.curl));
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el('textarea', {}, text);
    document.body.append(area); area.select(); document.execCommand('copy'); area.remove();
  }
  status.textContent = 'Copied';
  setTimeout(() => { status.textContent = ''; }, 2000);
}

async function replay(id, target, result) {
  localStorage.setItem('hookd-replay-url', target);
  result.textContent = 'Replaying…';
  const res = await fetch(api + '/requests/' + id + '/replay', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: target }),
  });
  const answer = await res.json();
  result.className = answer.status ? statusClass(answer.status) : 'bad';
  result.textContent = answer.status ? target + ' answered ' + answer.status + ' in ' + answer.durationMs + ' ms: ' + answer.body.slice(0, 500) : answer.error;
}

function move(step) {
  const buttons = [...list.querySelectorAll('button')];
  if (buttons.length === 0) return;
  const at = buttons.findIndex((b) => Number(b.dataset.id) === selected);
  const next = buttons[Math.min(Math.max(at === -1 ? 0 : at + step, 0), buttons.length - 1)];
  select(Number(next.dataset.id), true);
}

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
  if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); }
  else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
  else if (e.key === 'c') document.getElementById('copy-curl')?.click();
  else if (e.key === 'r') { e.preventDefault(); document.getElementById('replay-url')?.focus(); }
});

async function start() {
  const res = await fetch(api + '/requests?limit=200');
  const page = await res.json();
  for (const summary of page.data) add(summary, false);
  const last = page.data.length ? page.data[0].id : 0;
  const stream = new EventSource(api + '/stream?after=' + last);
  stream.addEventListener('open', () => { conn.textContent = 'live'; conn.className = 'ok'; });
  stream.addEventListener('error', () => { conn.textContent = 'reconnecting…'; conn.className = 'warn'; });
  stream.addEventListener('request', (e) => {
    const summary = JSON.parse(e.data);
    add(summary, true);
    if (selected === null) select(summary.id);
  });
}
start();
</script>
</body>
</html>
`;
