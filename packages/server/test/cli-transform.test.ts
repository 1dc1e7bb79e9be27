/** `hookd transform test`, run as a user runs it: the sandbox hookd delivers with, on a file, printing what would be sent. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { runCli } from './helpers/cli.js';

function files(t: TestContext, source: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-transform-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'slack.js'), source);
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify({ type: 'invoice.paid', timestamp: '2026-03-01T12:00:00.000Z', data: { invoice: 'F-7' } }),
  );
  return { script: join(dir, 'slack.js'), event: join(dir, 'event.json') };
}

test('hookd transform test prints the request the transformation makes, with the event time as its clock', async (t) => {
  const { script, event } = files(
    t,
    "function handler(w) { w.url = '/slack'; w.payload = { text: w.payload.data.invoice + ' at ' + new Date().toISOString() }; return w; }",
  );
  const run = await runCli(['transform', 'test', script, '--event', event], { env: { NO_COLOR: '1' } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^POST https:\/\/example\.com\/slack\n/);
  assert.match(run.stdout, /\n\n\{"text":"F-7 at 2026-03-01T12:00:00.000Z"\}\n$/);
});

test('hookd transform test names the failure of a runaway transformation and exits 1', async (t) => {
  const { script, event } = files(t, 'function handler(w) { for (;;) {} }');
  const run = await runCli(['transform', 'test', script, '--event', event, '--json'], { env: { NO_COLOR: '1' } });
  assert.equal(run.code, 1);
  assert.equal(JSON.parse(run.stdout).kind, 'error');
  assert.match(run.stderr, /transformation_failed: the transformation ran past its 100 ms of CPU time/);
});
