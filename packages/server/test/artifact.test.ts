/**
 * hookd as a user installs it from the registry: both workspaces packed with `npm pack`, the two tarballs installed
 * into an empty project, and everything used from there: `npx hookd`, `import` and `require` of @hookd/sdk, and a
 * strict TypeScript consumer checked against the tarball's own declarations. Nothing here loads the sources.
 * Run it on another Node by putting that Node first on PATH (`.ci/run` does, for 22, 24 and 26).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { callApi } from './helpers/hookd.js';
import { bannerUrl, waitReady } from './helpers/processes.js';
import { startReceiver } from './helpers/receiver.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ADMIN_TOKEN = 'artifact-test-admin-token-0123456789abcdef';

/** Runs a command to its end; fails the test with its output when it exits non-zero. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The version the repository installed, so the consumer's install is served from the npm cache. */
function installedVersion(name: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function listTarball(tarball: string): string[] {
  return run('tar', ['-tzf', tarball], ROOT).trim().split('\n');
}

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/**
 * better-sqlite3 compiled for this Node: the repository's own build when it loads here (the same Node that ran
 * `npm ci`), so the test does not spend a minute compiling what is already compiled; otherwise compiled for real,
 * as a user's install does (npm_config_nodedir points node-gyp at that Node's headers).
 */
function provideSqliteBinding(project: string): void {
  const repoModule = join(ROOT, 'node_modules/better-sqlite3');
  const loads = spawnSync(process.execPath, ['-e', `new (require(${JSON.stringify(repoModule)}))(':memory:')`]);
  if (loads.status === 0) {
    const release = join(project, 'node_modules/better-sqlite3/build/Release');
    mkdirSync(release, { recursive: true });
    writeFileSync(join(release, 'better_sqlite3.node'), readFileSync(join(repoModule, 'build/Release/better_sqlite3.node')));
  } else {
    run('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], project);
  }
}

function startServe(project: string, dataDir: string): ChildProcess {
  const args = ['hookd', 'serve', '--port', '0', '--data-dir', dataDir, '--allow-networks', '127.0.0.0/8'];
  // detached: npx starts hookd as its own child, so the whole group is stopped at the end.
  return spawn('npx', args, {
    cwd: project,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HOOKD_ADMIN_TOKEN: ADMIN_TOKEN, HOOKD_LOG_LEVEL: 'warn' },
  });
}

test(`the packed packages install and work as a user gets them (Node ${process.version})`, { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'hookd-artifact-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  if (!existsSync(join(ROOT, 'packages/server/dist/cli/main.js'))) run(process.execPath, ['scripts/build.mjs'], ROOT);

  const packed: { filename: string }[] = JSON.parse(
    run('npm', ['pack', '--json', '--silent', '-w', 'packages/sdk', '-w', 'packages/server', '--pack-destination', work], ROOT),
  );
  const [sdkTarball, serverTarball] = packed.map((p) => join(work, p.filename)) as [string, string];

  await t.test('each tarball holds the built code, its README and LICENSE, and nothing of the workshop', () => {
    for (const tarball of [sdkTarball, serverTarball]) {
      const files = listTarball(tarball);
      for (const needed of [
        'package/package.json',
        'package/README.md',
        'package/LICENSE',
        'package/dist/index.js',
        'package/dist/index.d.ts',
      ]) {
        assert.ok(files.includes(needed), `${tarball} lacks ${needed}`);
      }
      const unwanted = files.filter((f) =>
        /\/(test|tests|fixtures|src|data)\/|\.test\.|\.map$|tsbuildinfo|\.db$|\.sqlite|\.tgz$/.test(f),
      );
      assert.deepEqual(unwanted, [], `${tarball} ships files users do not need`);
      const unpacked = join(work, `unpacked-${files.length}-${tarball.length}`);
      mkdirSync(unpacked);
      run('tar', ['-xzf', tarball, '-C', unpacked], ROOT);
      const withLocalPaths = filesUnder(unpacked).filter((f) => readFileSync(join(unpacked, f), 'utf8').includes(ROOT));
      assert.deepEqual(withLocalPaths, [], 'files that name a path of the machine they were built on');
    }
    const serverManifest = JSON.parse(
      spawnSync('tar', ['-xzOf', serverTarball, 'package/package.json'], { encoding: 'utf8' }).stdout,
    );
    assert.equal(serverManifest.bin.hookd, './bin/hookd.js');
    assert.doesNotMatch(JSON.stringify(serverManifest.dependencies), /file:|workspace:|link:/);
  });

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'artifact-consumer', private: true, type: 'module' }));
  const tools = ['standardwebhooks', 'typescript', '@types/node'].map((name) => `${name}@${installedVersion(name)}`);
  // Scripts are left to provideSqliteBinding, the only dependency that has one.
  run(
    'npm',
    ['install', sdkTarball, serverTarball, ...tools, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    project,
  );
  provideSqliteBinding(project);

  await t.test('npx hookd --version and --help; every command answers --help', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8'));
    assert.equal(run('npx', ['hookd', '--version'], project).trim(), version);
    const help = run('npx', ['hookd', '--help'], project);
    const commands = [...help.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
    for (const expected of ['serve', 'migrate', 'keys', 'listen', 'forward', 'send', 'trigger', 'replay', 'tail']) {
      assert.ok(commands.includes(expected), `hookd --help does not list ${expected}`);
    }
    for (const command of commands) {
      assert.match(run('npx', ['hookd', command, '--help'], project), new RegExp(`^Usage: hookd ${command}`, 'm'));
    }
  });

  await t.test('npx hookd serve delivers a published event, signed as Standard Webhooks', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    const child = startServe(project, join(work, 'data'));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    t.after(() => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    });
    const base = await bannerUrl(child, 'API:', 30_000).catch((error) => assert.fail(`${error}\n${stderr}`));
    await waitReady(base, '/readyz', 30_000).catch((error) => assert.fail(`${error}\n${stderr}`));

    const api = (method: string, path: string, body?: unknown) => callApi(base, ADMIN_TOKEN, method, path, body);
    assert.equal((await api('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
    const endpoint = await api('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/hook`, events: ['order.*'] });
    assert.equal(endpoint.status, 201);
    const published = await api('POST', '/v1/apps/acme/events', { type: 'order.created', data: { order: 1 } });
    assert.equal(published.status, 202);

    const [delivered] = await receiver.waitFor(1, 15_000);
    assert.ok(delivered);
    const verified = new Webhook(endpoint.body.secret).verify(delivered.body, delivered.headers as Record<string, string>);
    assert.deepEqual(verified, {
      type: 'order.created',
      timestamp: (verified as { timestamp: string }).timestamp,
      data: { order: 1 },
    });
    assert.equal(delivered.headers['webhook-id'], published.body.id);
  });

  await t.test('@hookd/sdk loads with import and require, and @hookd/server with import', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      [
        "import { Webhook } from 'standardwebhooks';",
        "import { verify } from '@hookd/sdk';",
        "import { paginate } from '@hookd/sdk/client';",
        "import { memoryIdempotencyStore } from '@hookd/sdk/idempotency';",
        "import { createSqliteQueue } from '@hookd/sdk/queue';",
        "import { memoryRateLimitStore } from '@hookd/sdk/receiver';",
        "import { signTestRequest } from '@hookd/sdk/testing';",
        "import { signStandard } from '@hookd/sdk/verify';",
        "import { startHookd } from '@hookd/server';",
        "const secret = 'whsec_' + Buffer.from('artifact-test-secret-32-bytes!!!').toString('base64');",
        'const body = \'{"ok":true}\';',
        "const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };",
        "headers['webhook-signature'] = new Webhook(secret).sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), body);",
        "verify('standard', { body, headers, secrets: secret });",
        "console.log(typeof startHookd, 'verified');",
        'console.log([paginate, memoryIdempotencyStore, createSqliteQueue, memoryRateLimitStore, signTestRequest, signStandard].map((f) => typeof f).join(" "));',
      ].join('\n'),
    );
    const subpathFunctions = Array(6).fill('function').join(' ');
    assert.equal(run(process.execPath, ['esm.mjs'], project).trim(), `function verified\n${subpathFunctions}`);
    writeFileSync(
      join(project, 'cjs.cjs'),
      [
        "const sdk = require('@hookd/sdk');",
        'console.log(typeof sdk.verify, typeof sdk.createReceiver, typeof sdk.createHookdClient);',
        "const parts = [require('@hookd/sdk/client').paginate, require('@hookd/sdk/idempotency').memoryIdempotencyStore,",
        "  require('@hookd/sdk/queue').createSqliteQueue, require('@hookd/sdk/receiver').memoryRateLimitStore,",
        "  require('@hookd/sdk/testing').signTestRequest, require('@hookd/sdk/verify').signStandard];",
        "console.log(parts.map((f) => typeof f).join(' '));",
      ].join('\n'),
    );
    assert.equal(run(process.execPath, ['cjs.cjs'], project).trim(), `function function function\n${subpathFunctions}`);
  });

  await t.test('a strict TypeScript consumer type-checks against the shipped declarations', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { createHookdClient, createReceiver, verify, WebhookVerificationError } from '@hookd/sdk';",
        "import { type Message, paginate } from '@hookd/sdk/client';",
        "import { type IdempotencyStore, memoryIdempotencyStore } from '@hookd/sdk/idempotency';",
        "import { createSqliteQueue, type WebhookQueue } from '@hookd/sdk/queue';",
        "import { memoryRateLimitStore, type ReceiverMetrics } from '@hookd/sdk/receiver';",
        "import { type SignedTestRequest, signTestRequest } from '@hookd/sdk/testing';",
        "import { type StandardHeaders, signStandard } from '@hookd/sdk/verify';",
        "import { loadConfig, startHookd, type Hookd } from '@hookd/server';",
        "const client = createHookdClient({ baseUrl: 'http://127.0.0.1:8080', token: 'hkd_app_x' });",
        "const published: Promise<{ id: string }> = client.events.publish('acme', { type: 'order.created', data: { order: 1 } });",
        "const receiver = createReceiver({ verify: { scheme: 'github', secrets: 's' }, mode: 'inline' });",
        "receiver.on('push', async (event) => { const id: string = event.id; void id; });",
        "try { verify('stripe', { body: '{}', headers: {}, secrets: 'whsec_x' }); } catch (e) { if (e instanceof WebhookVerificationError) { const code: string = e.code; void code; } }",
        'const later: (m: Message) => string = (m) => m.type;',
        'const started: (h: Hookd) => Promise<void> = (h) => h.close();',
        'const store: IdempotencyStore = memoryIdempotencyStore({ maxKeys: 1000 });',
        'const queue: (path: string) => WebhookQueue = (path) => createSqliteQueue({ path });',
        'const counted: (m: ReceiverMetrics) => number = (m) => m.received;',
        "const signed: SignedTestRequest = signTestRequest({ scheme: 'github', secret: 's', payload: {}, type: 'push' });",
        "const headers: StandardHeaders = signStandard({ id: 'msg_1', timestamp: 1, body: '{}', secrets: 'whsec_eA==' });",
        'void [published, later, started, loadConfig, startHookd, paginate, store, queue, memoryRateLimitStore, counted, signed, headers];',
      ].join('\n'),
    );
    run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
  });
});
