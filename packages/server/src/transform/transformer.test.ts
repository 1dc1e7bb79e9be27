import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, test } from 'node:test';
import { TRANSFORMATION_LIMITS, type TransformedRequest } from '../domain/index.js';
import { RUN_DEADLINE_MS, Transformer, transformationProblem } from './transformer.js';

const request: TransformedRequest = {
  method: 'POST',
  url: 'https://example.com/hooks?x=1',
  headers: { 'content-type': 'application/json', 'x-team': 'a' },
  body: JSON.stringify({ type: 'invoice.paid', timestamp: '2026-01-01T00:00:00Z', data: { amount: 5 } }),
};
const AT = Date.parse('2026-01-01T00:00:00Z');

// One transformer for the file, as a worker has: its threads start once, and each source gets an endpoint of its own.
const shared = new Transformer();
after(() => shared.close());
let endpoints = 0;

function outcomeOf(source: string) {
  return shared.transform(`ep_${++endpoints}`, source, request, AT);
}

/** Allocates 1 MiB strings up to the memory cap: QuickJS checks no limit while it does, for many seconds. */
const STUCK = "function handler(w) { const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length); }";

test('a handler changes the method, the path, a header and the body; Date.now is the event time', async () => {
  const outcome = await outcomeOf(`function handler(webhook) {
    webhook.method = 'PUT';
    webhook.url = '/slack?team=' + webhook.headers['x-team'];
    webhook.headers['x-at'] = String(Date.now()) + ' ' + new Date().toISOString();
    webhook.payload = { text: webhook.payload.type + ' for ' + webhook.payload.data.amount };
    return webhook;
  }`);
  assert.deepEqual(outcome, {
    kind: 'send',
    request: {
      method: 'PUT',
      url: 'https://example.com/slack?team=a',
      headers: { 'content-type': 'application/json', 'x-team': 'a', 'x-at': `${AT} 2026-01-01T00:00:00.000Z` },
      body: '{"text":"invoice.paid for 5"}',
    },
  });
});

test('null and {cancel: true} cancel the delivery', async () => {
  assert.deepEqual(await outcomeOf('function handler() { return null; }'), { kind: 'cancel' });
  assert.deepEqual(await outcomeOf('function handler() { return { cancel: true }; }'), { kind: 'cancel' });
});

test('Math.random is the same from one run to the next', async () => {
  const source = `function handler(w) { w.payload = [Math.random(), Math.random()]; return w; }`;
  const first = await outcomeOf(source);
  assert.equal(first.kind, 'send');
  assert.deepEqual(await outcomeOf(source), first);
});

/** Each hostile source, and the words its error must hold. */
const HOSTILE: [string, string, RegExp][] = [
  ['an infinite loop', 'function handler(w) { for (;;) {} }', /ran past its 100 ms of CPU time/],
  ['an infinite loop at the top level', 'while (true) {} function handler(w) { return w; }', /CPU time/],
  [
    // Small objects up to the cap: on a busy machine the CPU cap may come first; either stops it.
    'a memory bomb',
    'function handler(w) { const a = []; for (;;) a.push({ n: a.length }); }',
    /16 MiB of memory|CPU time/,
  ],
  ['one huge string', "function handler(w) { w.payload = 'x'.repeat(64 * 1024 * 1024); return w; }", /memory/],
  ['a buffer', 'function handler(w) { new ArrayBuffer(1 << 30); return w; }', /'ArrayBuffer' is not defined/],
  [
    // On a busy machine the thread may not get a core for 2 s first: the deadline stops it then; either stops it.
    'deep nesting in native code',
    'function handler(w) { let o = {}; for (let i = 0; i < 100000; i++) o = { o }; w.payload = o; return w; }',
    /stack overflow|ran past its 2000 ms time limit/,
  ],
  ['very deep recursion', 'function handler(w) { return handler(w); }', /stack overflow/i],
  ['reaching for process', 'function handler(w) { return process.env; }', /'process' is not defined/],
  [
    'reaching for require',
    "function handler(w) { return require('fs').readFileSync('/etc/passwd'); }",
    /'require' is not defined/,
  ],
  ['a fetch', "function handler(w) { fetch('http://127.0.0.1/'); return w; }", /'fetch' is not defined/],
  ['huge output', "function handler(w) { w.payload = 'x'.repeat(2 * 1024 * 1024); return w; }", /exceeds 1048576 characters/],
  ['a thrown error', "function handler(w) { throw new RangeError('no amount'); }", /RangeError: no amount/],
  ['a changed origin', "function handler(w) { w.url = 'http://169.254.169.254/latest'; return w; }", /not the origin/],
  ['a signature header', "function handler(w) { w.headers['webhook-signature'] = 'v1,forged'; return w; }", /set by hookd/],
  ['an array returned', 'function handler(w) { return [w]; }', /must return the webhook object/],
  ['nothing returned', 'function handler(w) { w.payload = 1; }', /returned undefined/],
];

for (const [what, source, message] of HOSTILE) {
  test(`${what} is stopped with a message that says so`, async () => {
    const outcome = await outcomeOf(source);
    assert.equal(outcome.kind, 'error');
    assert.match(outcome.kind === 'error' ? outcome.message : '', message);
  });
}

test('globalThis is the sandbox’s own, and polluting its prototypes leaves hookd’s untouched', async () => {
  const outcome = await outcomeOf(`function handler(w) {
    Object.prototype.polluted = 'yes';
    w.payload = { keys: Object.getOwnPropertyNames(globalThis).filter((k) => /^(process|require|module|Buffer|fetch)$/.test(k)) };
    return w;
  }`);
  assert.equal(outcome.kind === 'send' && outcome.request.body, '{"keys":[]}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a sandbox is kept warm per endpoint and source, and one that failed is thrown away', async () => {
  const transformer = new Transformer(2, 1);
  const counting =
    'let runs = 0; function handler(w) { runs++; if (w.payload === "boom") throw new Error("boom"); w.payload = runs; return w; }';
  const body = async (payload: string, key = 'ep_1', source = counting) => {
    const outcome = await transformer.transform(key, source, { ...request, body: JSON.stringify(payload) }, AT);
    return outcome.kind === 'send' ? outcome.request.body : outcome.kind;
  };
  try {
    assert.equal(await body('a'), '1');
    assert.equal(await body('a'), '2', 'the same sandbox ran again');
    assert.equal(await body('boom'), 'error');
    assert.equal(await body('a'), '1', 'a fresh sandbox after a failure');
    assert.equal(await body('a', 'ep_1', `${counting} // v2`), '1', 'a new version compiles anew');
    await body('a', 'ep_2');
    await body('a', 'ep_3');
    assert.equal(await body('a', 'ep_1', `${counting} // v2`), '1', 'the least recently used was closed past the bound');
  } finally {
    await transformer.close();
  }
});

test('a source is checked when saved: size, syntax, a handler', async () => {
  assert.equal(await transformationProblem('function handler(w) { return w; }'), null);
  assert.match((await transformationProblem('function handler(w) { return w;')) ?? '', /SyntaxError/);
  assert.match((await transformationProblem('const x = 1;')) ?? '', /must define function handler/);
  assert.match((await transformationProblem(' '.repeat(TRANSFORMATION_LIMITS.sourceChars + 1))) ?? '', /exceeds 65536/);
});

test('a run stuck where QuickJS cannot stop it is stopped at the deadline, off the main thread; runs queued behind it go on', async () => {
  const transformer = new Transformer(4, 1);
  const counting = 'let runs = 0; function handler(w) { w.payload = ++runs; return w; }';
  const body = async (key: string, source: string) => {
    const outcome = await transformer.transform(key, source, request, AT);
    return outcome.kind === 'send' ? outcome.request.body : outcome;
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  try {
    assert.equal(await body('ep_warm', counting), '1');
    delay.enable();
    const started = performance.now();
    const [stuck, queued] = await Promise.all([body('ep_stuck', STUCK), body('ep_next', counting)]);
    const stoppedAfter = performance.now() - started;
    delay.disable();
    assert.deepEqual(stuck, {
      kind: 'error',
      message: `the transformation ran past its ${RUN_DEADLINE_MS} ms time limit and was stopped`,
    });
    assert.ok(stoppedAfter < RUN_DEADLINE_MS + 3000, `stopped after ${Math.round(stoppedAfter)} ms, not when it ended`);
    assert.equal(queued, '1', 'the run queued behind it ran, on a fresh thread');
    assert.equal(await body('ep_warm', counting), '1', 'the stopped thread’s warm sandboxes went with it');
    // Held by the run, the main thread would have stalled for the whole deadline at least.
    assert.ok(delay.max / 1e6 < 1000, `the main thread stalled ${Math.round(delay.max / 1e6)} ms`);
  } finally {
    delay.disable();
    await transformer.close();
  }
});

test('a source stuck at its top level is stopped at the deadline when checked', async () => {
  assert.equal(
    await transformationProblem(`${STUCK.replace('function handler(w) {', '{')} function handler(w) { return w; }`),
    `the transformation ran past its ${RUN_DEADLINE_MS} ms time limit and was stopped`,
  );
});
