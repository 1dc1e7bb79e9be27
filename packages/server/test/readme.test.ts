/**
 * The README is executed: the Quick start's server command, then every ```sh block of the walkthrough and the sections
 * that continue it, in order, in one bash session, as a newcomer types them; and the examples as their READMEs say.
 * Only ports change (a second hookd or receiver on the machine must not matter), from a fresh folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from './helpers/hookd.js';
import {
  expectedStatuses,
  listening,
  printedStatuses,
  type ShBlock,
  ShellSession,
  type Started,
  shBlocks,
  startGroup,
} from './helpers/readme.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The sections whose commands run, in README order: the walkthrough and those that use its `$H`. */
const SECTIONS = ['Walkthrough with curl', 'Event types', 'Dashboard and app portal', 'Audit log', 'Receiving webhooks: sources'];

/**
 * The README's commands name fixed ports (`--port 8080`, `PORT=3000`) and the commands after them use those ports,
 * so each is swapped for a port found free here: port 0 would leave the later commands nothing to name.
 */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The README's ports, each replaced by a free one: `localhost:8080`, `127.0.0.1:4000`, `PORT=3000`. */
function withPorts(text: string, ports: Record<number, number>): string {
  let out = text;
  for (const [from, to] of Object.entries(ports))
    out = out.replace(new RegExp(`(localhost:|127\\.0\\.0\\.1:|--port |PORT=)${from}\\b`, 'g'), `$1${to}`);
  return out;
}

/** A newcomer's environment: none of hookd's or npm's settings from the test run. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('HOOKD_') || key.startsWith('npm_')) delete env[key];
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete env[key];
  return env;
}

/** Every count of `hookd_queue_depth` is 0: what was published has been delivered (or given up). */
async function settled(api: string): Promise<boolean | undefined> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const depths = [...text.matchAll(/^hookd_queue_depth\{state="\w+"\} (\d+)/gm)].map((m) => Number(m[1]));
  return depths.length > 0 && depths.every((d) => d === 0) ? true : undefined;
}

function checkStatuses(block: ShBlock, output: string): void {
  assert.deepEqual(
    printedStatuses(output),
    expectedStatuses(block.text),
    `README.md:${block.line}: the statuses printed are those the README shows\n${block.text}\n--- output:\n${output}`,
  );
}

describe('the README, as a newcomer types it', () => {
  test('Quick start, then the walkthrough and the sections after it: every answer as shown, the webhook verified', async (t) => {
    const readme = read('README.md');
    const blocks = shBlocks(readme);

    // A fresh folder stands for the repository root: its ./data and ./.hookd-listen.sqlite are the test's own, and
    // `npx hookd` finds the clone's command through node_modules, as it does in the clone.
    const cwd = mkdtempSync(join(tmpdir(), 'hookd-readme-'));
    symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'));
    const started: Started[] = [];
    t.after(async () => {
      for (const child of started) await child.kill();
      rmSync(cwd, { recursive: true, force: true });
    });
    const ports = { 8080: await freePort(), 4000: await freePort(), 3000: await freePort() };
    const env = cleanEnv();

    // Quick start: `npm start` builds, then runs hookd serve (package.json). `npm install` has built already, so the
    // build runs here only if dist/ is missing.
    if (!existsSync(join(ROOT, 'packages/server/dist/cli/main.js')) || !existsSync(join(ROOT, 'packages/sdk/dist/index.js')))
      assert.equal(spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }).status, 0, 'npm run build');
    const quick = blocks.find((b) => b.section === 'Quick start');
    assert.match(quick?.text ?? '', /^npm install && npm start\b/m, 'the Quick start starts hookd with npm start');
    const start: string = JSON.parse(read('package.json')).scripts.start;
    const build = 'npm run build --silent && ';
    assert.ok(start.startsWith(build), `npm start builds first: ${start}`);
    const serve = `${start.slice(build.length)} --port ${ports[8080]}`;
    assert.match(serve, /^hookd serve /);
    const server = startGroup('bash', ['-c', serve], {
      cwd,
      env: { ...env, PATH: `${join(cwd, 'node_modules', '.bin')}:${env.PATH}` }, // as npm run sets it
    });
    started.push(server);
    const api = `http://127.0.0.1:${ports[8080]}`;
    await eventually(
      async () => {
        if (server.child.exitCode !== null) throw new Error(`hookd serve exited:\n${server.output()}`);
        return (await fetch(`${api}/readyz`).catch(() => null))?.ok ? true : undefined;
      },
      30_000,
      'hookd serve to be ready',
    );
    // The banner comes over a pipe of its own, which may arrive after the answer to /readyz.
    await eventually(() => (server.output().includes('admin token:') ? true : undefined), 10_000, 'the start-up banner');
    assert.match(server.output(), /admin token: +hk_admin_\S+ +\(generated now, kept in (\.\/)?data\/admin-token/);

    const shell = new ShellSession({ cwd, env });
    t.after(() => shell.close());
    const receivers: Started[] = [];
    const sections = blocks.filter((b) => SECTIONS.includes(b.section) && b.mode !== 'skip');
    assert.deepEqual([...new Set(sections.map((b) => b.section))], SECTIONS, 'each section has commands');
    for (const block of sections) {
      const text = withPorts(block.text, ports);
      if (block.mode === 'background') {
        const receiver = startGroup('bash', ['-c', text], { cwd, env });
        started.push(receiver);
        receivers.push(receiver);
        const port = Number(/--port (\d+)/.exec(text)?.[1]);
        await listening(port, `README.md:${block.line}`, receiver);
        continue;
      }
      const output = await shell.run(text);
      checkStatuses(block, output);
      // A reader waits for what they published to arrive before looking at it, as the walkthrough's step 4 says.
      if (block.section === 'Walkthrough with curl') await eventually(() => settled(api), 20_000, 'the deliveries to settle');
    }

    // The receiver got the published event and its retry, each signed with the endpoint's secret.
    assert.equal(receivers.length, 1, 'the walkthrough starts one receiver');
    const listen = receivers[0] as Started;
    assert.doesNotMatch(listen.output(), /signature not verified/);
    assert.equal(listen.output().match(/✓ signature verified/g)?.length, 2, listen.output());
    assert.match(listen.output(), /POST \/webhook /);
  });
});

describe('the examples, as their READMEs run them', () => {
  for (const example of ['express', 'fetch']) {
    test(`${example}: the README's server takes a signed webhook, refuses a tampered one`, async (t) => {
      const blocks = shBlocks(read(`examples/${example}/README.md`)).filter((b) => b.mode !== 'skip');
      assert.equal(blocks[0]?.mode, 'background', 'the README starts the server first, in its own terminal');
      const ports = { 3000: await freePort() };
      const env = cleanEnv();
      const server = startGroup('bash', ['-c', withPorts((blocks[0] as ShBlock).text, ports)], { cwd: ROOT, env });
      t.after(() => server.kill());
      await listening(ports[3000], `examples/${example}`, server);

      const shell = new ShellSession({ cwd: ROOT, env });
      t.after(() => shell.close());
      let printed = '';
      for (const block of blocks.slice(1)) {
        assert.equal(block.mode, 'run');
        const output = await shell.run(withPorts(block.text, ports));
        checkStatuses(block, output);
        printed += output;
      }
      assert.match(printed, /^200 \{"received":true\}$/m);
      assert.match(printed, /^401 .*"code":"signature_invalid"/m);
      // The server printed the development secret that send.ts signs with, and handled the one good webhook.
      assert.match(server.output(), /WEBHOOK_SECRET is not set; using the development secret whsec_/);
      await eventually(() => (/payment msg_\S+ completed: 4200/.test(server.output()) ? true : undefined), 20_000, 'the handler');
      if (example === 'express') assert.match(printed, /"processed":1\b/);
    });
  }
});
