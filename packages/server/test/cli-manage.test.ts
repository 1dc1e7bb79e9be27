/**
 * `hookd apps|endpoints|event-types|sources|tokens|messages|deliveries`, `login` and `completion` against a real
 * hookd on loopback: each verb's --json answer and its table, deletions that need --yes, API errors with their
 * code and hint and the exit codes scripts rely on, profiles saved at mode 0600, and completion scripts that parse.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type CliRun, runCli } from './helpers/cli.js';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { freePort } from './helpers/processes.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const TOKEN = 'test-admin-token-0123456789abcdefghij';

/** A hookd (in this process, real HTTP and SQLite) and a receiver; `hookd` runs the command as a user would. */
async function setup(t: TestContext) {
  const receiver = await startReceiver();
  const server = await startTestHookd({ adminToken: TOKEN });
  t.after(async () => {
    await receiver.close();
    await server.close();
  });
  const env = { HOOKD_URL: server.url, HOOKD_TOKEN: TOKEN, NO_COLOR: '1' };
  const hookd = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runCli(args, { input: options.input, env: { ...env, ...options.env } });
  /** Runs a command that must succeed and parses its --json answer. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  const json = async (args: string[]): Promise<any> => {
    const run = await hookd([...args, '--json']);
    assert.equal(run.code, 0, `hookd ${args.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };
  return { server, receiver, hookd, json };
}

function ok(run: CliRun, what: string): string {
  assert.equal(run.code, 0, `${what}: ${run.stderr}`);
  return run.stdout;
}

/** A table's rows as cells, checking the columns line up: each cell starts where its header does. */
function tableRows(text: string, headers: string[]): string[][] {
  const [head, ...rows] = text.trimEnd().split('\n') as [string, ...string[]];
  const starts = headers.map((h) => head.indexOf(h));
  assert.deepEqual(head.split(/ {2,}/), headers, `the header row\n${text}`);
  assert.ok(
    starts.every((s, i) => i === 0 || s > (starts[i - 1] as number)),
    head,
  );
  return rows.map((row) => {
    assert.equal(row, row.trimEnd(), 'no trailing spaces');
    return starts.map((start, i) => {
      // A row ends where its last filled cell does: an empty last column leaves nothing after it.
      assert.ok(
        start === 0 || start >= row.length || row[start - 1] === ' ',
        `column ${headers[i]} starts after a space in\n${text}`,
      );
      return row.slice(start, starts[i + 1] ?? row.length).trim();
    });
  });
}

async function delivered(receiver: Receiver, count: number): Promise<void> {
  await receiver.waitFor(count, 15_000);
}

test('apps, endpoints, messages, deliveries: create, list, get, update, send, retry, delete; JSON and tables', {
  timeout: 180_000,
}, async (t) => {
  const { receiver, hookd, json } = await setup(t);

  const app = await json(['apps', 'create', '--name', 'Acme', '--uid', 'acme']);
  assert.match(app.id, /^app_/);
  assert.equal(app.uid, 'acme');
  await json(['apps', 'create', '--name', 'Globex Corporation']);
  const apps = tableRows(ok(await hookd(['apps', 'list']), 'apps list'), ['ID', 'UID', 'NAME', 'CREATED']);
  assert.deepEqual(
    apps.filter((row) => row[1] !== 'hookd-ops').map((row) => row.slice(1, 3)),
    [
      ['—', 'Globex Corporation'],
      ['acme', 'Acme'],
    ],
  );
  const page = await json(['apps', 'list', '--limit', '1']);
  assert.equal(page.data.length, 1);
  assert.equal(typeof page.nextCursor, 'string');
  const more = await hookd(['apps', 'list', '--limit', '1']);
  assert.match(more.stderr, new RegExp(`more: add --after ${page.nextCursor}`));
  assert.equal((await json(['apps', 'list', '--limit', '1', '--all'])).data.length, 3, '--all walks every page');
  assert.deepEqual(await json(['apps', 'get', 'acme']), app);
  const shown = ok(await hookd(['apps', 'get', 'acme']), 'apps get');
  assert.match(shown, new RegExp(`^id: +${app.id}$`, 'm'));
  assert.match(shown, /^name: +Acme$/m);
  const renamed = await json(['apps', 'update', 'acme', '--name', 'Acme Inc', '--alert-when-silent']);
  assert.deepEqual([renamed.name, renamed.alertWhenSilent], ['Acme Inc', true]);

  const ep = await json([
    'endpoints',
    'create',
    '--app',
    'acme',
    '--url',
    `${receiver.url}/orders`,
    '--events',
    'order.*,invoice.paid',
    '-H',
    'X-Team: billing',
  ]);
  assert.match(ep.secret, /^whsec_/);
  assert.deepEqual(ep.events, ['order.*', 'invoice.paid']);
  assert.deepEqual(ep.headers, { 'x-team': 'billing' });
  const endpoints = tableRows(ok(await hookd(['endpoints', 'list', '--app', 'acme']), 'endpoints list'), [
    'ID',
    'URL',
    'EVENTS',
    'STATUS',
    'CREATED',
  ]);
  assert.deepEqual(
    endpoints.map((row) => row.slice(0, 4)),
    [[ep.id, `${receiver.url}/orders`, 'order.*,invoice.paid', 'enabled']],
  );
  assert.equal((await json(['endpoints', 'update', ep.id, '--app', 'acme', '--disable'])).disabled, true);
  assert.equal((await json(['endpoints', 'update', ep.id, '--app', 'acme', '--enable', '--rate-limit', '20'])).rateLimit, 20);
  assert.equal((await json(['endpoints', 'get', ep.id, '--app', 'acme'])).disabled, false);
  const paused = await hookd(['endpoints', 'pause', ep.id, '--app', 'acme']);
  assert.match(ok(paused, 'endpoints pause'), /paused/);
  assert.match(paused.stderr, new RegExp(`endpoint ${ep.id} is paused: deliveries held`));
  assert.equal((await json(['endpoints', 'get', ep.id, '--app', 'acme'])).paused, true);
  assert.equal((await json(['endpoints', 'resume', ep.id, '--app', 'acme'])).paused, false);
  const filtered = await json(['endpoints', 'update', ep.id, '--app', 'acme', '--filter', '{"data.amount":{"$gt":100}}']);
  assert.deepEqual(filtered.filter, { 'data.amount': { $gt: 100 } });
  assert.equal((await json(['endpoints', 'update', ep.id, '--app', 'acme', '--filter', 'none'])).filter, null);

  const sent = await hookd(['messages', 'send', '--app', 'acme', '--type', 'order.created', '--data', '@-'], {
    input: '{"order": 1234}',
  });
  const messageId = ok(sent, 'messages send').trim();
  assert.match(messageId, /^msg_/);
  assert.match(sent.stderr, new RegExp(`published ${messageId} \\(order.created\\) to 1 endpoint`));
  await delivered(receiver, 1);
  assert.equal(receiver.requests[0]?.headers['webhook-id'], messageId);
  assert.equal(receiver.requests[0]?.headers['x-team'], 'billing');
  const published = await json(['messages', 'create', '--app', 'acme', '--type', 'invoice.paid', '--idempotency-key', 'k1']);
  assert.deepEqual([published.type, published.deliveries, published.duplicate], ['invoice.paid', 1, false]);
  await delivered(receiver, 2);

  const messages = tableRows(ok(await hookd(['messages', 'list', '--app', 'acme']), 'messages list'), [
    'ID',
    'TYPE',
    'TIMESTAMP',
    'DATA',
  ]);
  assert.deepEqual(
    messages.map((row) => [row[0], row[1], row[3]]),
    [
      [published.id, 'invoice.paid', '{}'],
      [messageId, 'order.created', '{"order":1234}'],
    ],
  );
  assert.deepEqual((await json(['messages', 'list', '--app', 'acme', '--type', 'order.created'])).data.length, 1);
  assert.equal((await json(['messages', 'list', '--app', 'acme', '--since', '1h'])).data.length, 2);
  assert.equal((await json(['messages', 'list', '--app', 'acme', '--until', '1h'])).data.length, 0);
  assert.deepEqual((await json(['messages', 'get', messageId, '--app', 'acme'])).data, { order: 1234 });

  const [delivery] = (await json(['deliveries', 'list', '--app', 'acme', '--message', messageId])).data;
  assert.equal(delivery.endpointId, ep.id);
  await eventually(
    async () => ((await json(['deliveries', 'get', delivery.id, '--app', 'acme'])).status === 'succeeded' ? true : undefined),
    30_000,
    'the delivery succeeded',
  );
  const deliveries = tableRows(ok(await hookd(['deliveries', 'list', '--app', 'acme', '--status', 'succeeded']), 'list'), [
    'ID',
    'STATUS',
    'ATTEMPTS',
    'ENDPOINT',
    'MESSAGE',
    'CREATED',
    'LAST ERROR',
  ]);
  assert.deepEqual(deliveries.find((row) => row[0] === delivery.id)?.slice(1, 5), ['succeeded', '1', ep.id, messageId]);
  const attempts = ok(await hookd(['deliveries', 'get', delivery.id, '--app', 'acme']), 'deliveries get');
  assert.match(attempts, /^status: +succeeded$/m);
  assert.match(attempts, /^# +STARTED +STATUS +MS +ERROR\n1 +\S+ \S+ +200 +\d+$/m);
  const retried = await json(['deliveries', 'retry', delivery.id, '--app', 'acme']);
  assert.equal(retried.status, 'pending');
  await delivered(receiver, 3);
  assert.equal(receiver.requests[2]?.headers['webhook-id'], messageId, 'the retry is the same message');

  const stats = await json(['endpoints', 'stats', ep.id, '--app', 'acme']);
  assert.ok(stats.windows['1h'].attempts >= 2, JSON.stringify(stats));
  assert.match(
    ok(await hookd(['endpoints', 'stats', ep.id, '--app', 'acme']), 'endpoints stats'),
    /^last 1h: +\d+ attempts, 100% ok, p50 \d+ ms, p95 \d+ ms$/m,
  );
  const rotated = await json(['endpoints', 'rotate-secret', ep.id, '--app', 'acme']);
  assert.match(rotated.secret, /^whsec_/);
  assert.notEqual(rotated.secret, ep.secret);
  const link = await hookd(['apps', 'portal-link', 'acme', '--expires-in', '30m']);
  assert.match(ok(link, 'apps portal-link'), /^http:\/\/127\.0\.0\.1:\d+\/ui\/portal\?token=\S+\n$/);
  assert.match(link.stderr, /valid until /);

  const refused = await hookd(['endpoints', 'delete', ep.id, '--app', 'acme']);
  assert.equal(refused.code, 1, 'not on a terminal, a deletion needs --yes');
  assert.match(refused.stderr, /not confirmed\n.*pass --yes/);
  assert.equal((await json(['endpoints', 'get', ep.id, '--app', 'acme'])).id, ep.id, 'nothing was deleted');
  assert.deepEqual(await json(['endpoints', 'delete', ep.id, '--app', 'acme', '--yes']), { deleted: true, id: ep.id });
  const gone = await hookd(['endpoints', 'get', ep.id, '--app', 'acme']);
  assert.equal(gone.code, 4);
  assert.match(gone.stderr, /\(endpoint_not_found\)\n.*hookd endpoints list --app APP/);
  const deleted = await hookd(['apps', 'delete', 'acme', '--yes']);
  assert.equal(ok(deleted, 'apps delete'), '');
  assert.match(deleted.stderr, /deleted app acme/);
  assert.equal((await hookd(['apps', 'get', 'acme'])).code, 4);
});

test('event types, sources and tokens: create, list, get, update, delete; JSON and tables', { timeout: 180_000 }, async (t) => {
  const { server, receiver, hookd, json } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'hookd-cli-manage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const schemaFile = join(dir, 'order.json');
  writeFileSync(schemaFile, JSON.stringify({ type: 'object', required: ['id'] }));
  const type = await json(['event-types', 'create', 'order.created', '--description', 'An order', '--schema', `@${schemaFile}`]);
  assert.deepEqual(type.schema, { type: 'object', required: ['id'] });
  await json(['event-types', 'create', 'order.shipped']);
  const types = tableRows(ok(await hookd(['event-types', 'list']), 'event-types list'), [
    'NAME',
    'DESCRIPTION',
    'SCHEMA',
    'ARCHIVED',
    'CREATED',
  ]);
  assert.deepEqual(
    types.map((row) => row.slice(0, 4)),
    [
      ['order.created', 'An order', 'yes', 'no'],
      ['order.shipped', '—', 'no', 'no'],
    ],
  );
  assert.equal((await json(['event-types', 'update', 'order.shipped', '--archive'])).archived, true);
  assert.deepEqual(
    (await json(['event-types', 'list'])).data.map((e: { name: string }) => e.name),
    ['order.created'],
  );
  assert.equal((await json(['event-types', 'list', '--include-archived'])).data.length, 2);
  assert.equal((await json(['event-types', 'update', 'order.created', '--schema', 'none'])).schema, null);
  assert.equal((await json(['event-types', 'get', 'order.created'])).description, 'An order');

  const source = await json([
    'sources',
    'create',
    'github',
    '--scheme',
    'github',
    '--secret',
    'old-secret',
    '--to',
    `${receiver.url}/github`,
    '--events',
    'push',
  ]);
  assert.equal(source.ingestUrl, `${server.url}/in/github`);
  assert.deepEqual(
    source.destinations.map((d: { url: string; events: string[] }) => [d.url, d.events]),
    [[`${receiver.url}/github`, ['push']]],
  );
  const sources = tableRows(ok(await hookd(['sources', 'list']), 'sources list'), [
    'ID',
    'NAME',
    'SCHEME',
    'DESTINATIONS',
    'REFUSALS',
    'INGEST URL',
  ]);
  assert.deepEqual(sources, [[source.id, 'github', 'github', '1', '0', `${server.url}/in/github`]]);
  const rotated = await json([
    'sources',
    'update',
    'github',
    '--secret',
    'new-secret',
    '--secret',
    'old-secret',
    '--rate-limit',
    '5',
  ]);
  assert.deepEqual(rotated.secrets, ['new-secret', 'old-secret']);
  assert.deepEqual(rotated.rateLimit, { perSecond: 5, burst: 5 });
  const shown = ok(await hookd(['sources', 'get', 'github']), 'sources get');
  assert.match(shown, new RegExp(`^ingest URL: +${server.url}/in/github$`, 'm'));
  assert.match(shown, new RegExp(`^destination 1: +${receiver.url}/github {2}events: push$`, 'm'));

  const app = await json(['apps', 'create', '--name', 'Acme', '--uid', 'acme']);
  const token = await json(['tokens', 'create', '--app', 'acme', '--name', 'ci']);
  assert.match(token.token, /^hkd_app_/);
  const created = await hookd(['tokens', 'create', '--app', 'acme', '--name', 'portal', '--can-mint-portal-links']);
  assert.match(ok(created, 'tokens create'), /^token: +hkd_app_\S+$/m);
  assert.match(created.stderr, /shown this once/);
  const tokens = tableRows(ok(await hookd(['tokens', 'list', '--app', 'acme']), 'tokens list'), [
    'ID',
    'NAME',
    'PORTAL LINKS',
    'CREATED',
  ]);
  assert.deepEqual(tokens.map((row) => row.slice(1, 3)).sort(), [
    ['ci', 'no'],
    ['portal', 'yes'],
  ]);
  // The app's token reaches its app, and is refused the admin's lists with a hint.
  const asApp = { HOOKD_TOKEN: token.token };
  assert.equal(JSON.parse(ok(await hookd(['apps', 'get', 'acme', '--json'], { env: asApp }), 'as the app')).id, app.id);
  const forbidden = await hookd(['sources', 'list'], { env: asApp });
  assert.equal(forbidden.code, 2);
  assert.match(forbidden.stderr, /\(forbidden\)\n.*this token reaches one app only/);
  assert.deepEqual(await json(['tokens', 'delete', token.id, '--app', 'acme', '--yes']), { deleted: true, id: token.id });
  const revoked = await hookd(['apps', 'get', 'acme'], { env: asApp });
  assert.equal(revoked.code, 2);
  assert.match(revoked.stderr, /refused the token \(unauthorized\)/);

  assert.deepEqual(await json(['sources', 'delete', 'github', '--yes']), { deleted: true, id: 'github' });
  const empty = await hookd(['sources', 'list']);
  assert.equal(ok(empty, 'sources list'), '');
  assert.match(empty.stderr, /^no sources — create one: hookd sources create/);
});

test('API errors print their code, message and a hint; exit 1 usage, 2 refused, 3 unreachable, 4 not found', {
  timeout: 120_000,
}, async (t) => {
  const { hookd, json } = await setup(t);
  await json(['apps', 'create', '--name', 'Acme', '--uid', 'acme']);
  await json(['event-types', 'create', 'order.created', '--schema', '{"type": "object", "required": ["id"]}']);

  const taken = await hookd(['apps', 'create', '--name', 'Again', '--uid', 'acme']);
  assert.equal(taken.code, 2);
  assert.match(taken.stderr, /^hookd: .*\(uid_taken\)\n {7}pick another --uid/);
  const mismatch = await hookd(['messages', 'send', '--app', 'acme', '--type', 'order.created', '--data', '{"n": 1}']);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /required property 'id' \(schema_mismatch\)/);
  assert.match(mismatch.stderr, /hookd event-types get TYPE/);
  const invalid = await hookd(['endpoints', 'create', '--app', 'acme', '--url', 'ftp://example.com/hook']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /\(invalid_url\)/);
  const missing = await hookd(['messages', 'get', 'msg_nope', '--app', 'acme']);
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /\(message_not_found\)/);
  const noApp = await hookd(['endpoints', 'list', '--app', 'nope']);
  assert.equal(noApp.code, 4);
  assert.match(noApp.stderr, /\(app_not_found\)\n.*hookd apps list/);

  const badToken = await hookd(['apps', 'list'], { env: { HOOKD_TOKEN: 'wrong' } });
  assert.equal(badToken.code, 2);
  assert.match(badToken.stderr, /refused the token \(unauthorized\)\n.*hookd login/);
  const closed = await freePort();
  const unreachable = await hookd(['apps', 'list', '--server', `http://127.0.0.1:${closed}`]);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot reach hookd at http:\/\/127\.0\.0\.1:\d+/);

  const nothing = await hookd(['apps', 'update', 'acme']);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /nothing to change/);
  const noArg = await hookd(['endpoints', 'list']);
  assert.equal(noArg.code, 1);
  assert.match(noArg.stderr, /--app <app>/);
  const badJson = await hookd(['messages', 'send', '--app', 'acme', '--type', 'a.b', '--data', '{nope']);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stderr, /--data is not JSON/);
  assert.equal((await json(['messages', 'list', '--app', 'acme'])).data.length, 0, 'nothing was published');
});

test('login saves a profile at mode 0600 under XDG_CONFIG_HOME, else ~/.config; --profile and HOOKD_PROFILE use it', {
  timeout: 120_000,
}, async (t) => {
  const { server, hookd } = await setup(t);
  const home = mkdtempSync(join(tmpdir(), 'hookd-login-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  // No HOOKD_URL or HOOKD_TOKEN: only what login saved says where hookd is.
  const bare = { HOOKD_URL: '', HOOKD_TOKEN: '', HOOKD_DATA_DIR: join(home, 'no-data') };
  const xdg = { ...bare, XDG_CONFIG_HOME: join(home, 'xdg') };

  const wrong = await hookd(['login', '--server', server.url, '--token', 'wrong', '--profile', 'local'], { env: xdg });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /refused the token/);
  assert.equal(existsSync(join(home, 'xdg', 'hookd', 'config.json')), false, 'a refused token is not saved');

  const login = await hookd(['login', '--server', server.url, '--token-stdin', '--profile', 'local'], {
    env: xdg,
    input: `${TOKEN}\n`,
  });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /saved profile local: .* \(the admin token\)/);
  const file = join(home, 'xdg', 'hookd', 'config.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, 'xdg', 'hookd')).mode & 0o777, 0o700);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { profiles: { local: { server: server.url, token: TOKEN } } });

  const listed = await hookd(['apps', 'list', '--json', '--profile', 'local'], { env: xdg });
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(Array.isArray(JSON.parse(listed.stdout).data));
  assert.equal(listed.stderr, '');
  chmodSync(file, 0o644);
  const readable = await hookd(['apps', 'list', '--json', '--profile', 'local'], { env: xdg });
  assert.equal(readable.code, 0, 'a file others can read is still used');
  assert.match(readable.stderr, /config\.json can be read by other users; it holds API tokens \(chmod 600 /);
  chmodSync(file, 0o600);
  assert.equal((await hookd(['apps', 'list', '--json'], { env: { ...xdg, HOOKD_PROFILE: 'local' } })).code, 0);
  const unnamed = await hookd(['apps', 'list'], { env: xdg });
  assert.equal(unnamed.code, 1, 'only a profile named default is used unasked');
  assert.match(unnamed.stderr, /no API token/);
  const unknown = await hookd(['apps', 'list', '--profile', 'prod'], { env: xdg });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no profile "prod" in .*config\.json\n.*saved profiles: local/);
  // --token beats the profile's; the profile's token is never sent to another server.
  const overridden = await hookd(['apps', 'list', '--profile', 'local', '--token', 'wrong'], { env: xdg });
  assert.equal(overridden.code, 2);
  const elsewhere = await hookd(
    ['apps', 'list', '--profile', 'local', '--server', `${server.url.replace('127.0.0.1', 'localhost')}`],
    {
      env: xdg,
    },
  );
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stderr, /no API token\n.*the profile's token is sent only to http:\/\/127\.0\.0\.1:/);

  // Without XDG_CONFIG_HOME: ~/.config/hookd; the profile named default needs no --profile.
  const inHome = { ...bare, XDG_CONFIG_HOME: '', HOME: home };
  const json = await hookd(['login', '--server', server.url, '--token', TOKEN, '--json'], { env: inHome });
  assert.equal(json.code, 0, json.stderr);
  const saved = JSON.parse(json.stdout);
  assert.deepEqual(saved, {
    profile: 'default',
    server: server.url,
    file: join(home, '.config', 'hookd', 'config.json'),
    token: 'admin',
  });
  assert.equal(statSync(saved.file).mode & 0o777, 0o600);
  assert.equal((await hookd(['apps', 'list', '--json'], { env: inHome })).code, 0);
  const logout = await hookd(['logout', '--json'], { env: inHome });
  assert.equal(logout.code, 0, logout.stderr);
  assert.deepEqual(JSON.parse(logout.stdout), { profile: 'default', removed: true });
  assert.equal((await hookd(['logout'], { env: inHome })).code, 1, 'nothing left to forget');
  assert.deepEqual(JSON.parse(readFileSync(saved.file, 'utf8')), { profiles: {} });
  assert.equal(statSync(saved.file).mode & 0o777, 0o600);
  assert.equal((await hookd(['apps', 'list'], { env: inHome })).code, 1);
});

/** What bash completes for a command line ending in `words` (the last one the word being typed). */
function bashCompletes(scriptFile: string, words: string[]): string[] {
  const line = ['hookd', ...words].map((w) => `'${w}'`).join(' ');
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source "$0" && COMP_WORDS=(${line}) && COMP_CWORD=${words.length} && _hookd && printf '%s\\n' "\${COMPREPLY[@]}"`,
      scriptFile,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter(Boolean);
}

test('completion scripts for bash, zsh and fish come from the command tree and parse', { timeout: 60_000 }, async (t) => {
  const { hookd } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'hookd-completion-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bash = ok(await hookd(['completion', 'bash']), 'completion bash');
  const bashFile = join(dir, 'hookd.bash');
  writeFileSync(bashFile, bash);
  const syntax = spawnSync('bash', ['-n', bashFile], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, `bash -n: ${syntax.stderr}`);
  assert.match(bash, /^complete -o default -F _hookd hookd$/m);
  const top = bashCompletes(bashFile, ['']);
  for (const command of [
    'serve',
    'listen',
    'apps',
    'endpoints',
    'event-types',
    'sources',
    'tokens',
    'messages',
    'deliveries',
    'login',
  ])
    assert.ok(top.includes(command), `hookd <TAB> offers ${command}: ${top.join(' ')}`);
  assert.deepEqual(bashCompletes(bashFile, ['apps', '']), ['list', 'get', 'create', 'update', 'delete', 'portal-link', '--help']);
  assert.deepEqual(bashCompletes(bashFile, ['endpoints', 'list', '--app', 'acme', '--ser']), ['--server']);
  assert.deepEqual(bashCompletes(bashFile, ['deliveries', 'list', '--status', '']), [
    'pending',
    'succeeded',
    'failed',
    'skipped',
  ]);
  assert.deepEqual(bashCompletes(bashFile, ['completion', '']), ['bash', 'zsh', 'fish', '--help']);
  assert.ok(
    bashCompletes(bashFile, ['messages', 'create', '--']).includes('--idempotency-key'),
    'an alias completes as its command',
  );

  const zsh = ok(await hookd(['completion', 'zsh']), 'completion zsh');
  assert.match(zsh, /^#compdef hookd\n/);
  const fish = ok(await hookd(['completion', 'fish']), 'completion fish');
  assert.match(
    fish,
    /^complete -c hookd -n '__fish_seen_subcommand_from apps; and not __fish_seen_subcommand_from list get create update delete portal-link' -a list -d 'List apps, newest first'$/m,
  );
  // zsh and fish check the scripts' syntax where they are installed.
  for (const [shell, script] of [
    ['zsh', zsh],
    ['fish', fish],
  ] as const) {
    if (spawnSync(shell, ['-c', 'true']).error) {
      t.diagnostic(`${shell} is not installed: its script's syntax is not checked`);
      continue;
    }
    writeFileSync(join(dir, `hookd.${shell}`), script);
    const parsed = spawnSync(shell, ['-n', join(dir, `hookd.${shell}`)], { encoding: 'utf8' });
    assert.equal(parsed.status, 0, `${shell} -n: ${parsed.stderr}`);
  }
  const unknown = await hookd(['completion', 'tcsh']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Allowed choices are bash, zsh, fish/);
});

test('hookd --help lists the commands in groups: Run, Develop, Manage, Set up', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  const groups = Object.fromEntries(
    help.stdout
      .split('\n\n')
      .filter((block) => /^[A-Z][a-z ]+:\n/.test(block))
      .map((block) => {
        const [heading, ...lines] = block.split('\n');
        return [heading, lines.map((l) => /^ {2}([a-z][a-z-]*)/.exec(l)?.[1]).filter(Boolean)];
      }),
  );
  assert.deepEqual(groups, {
    'Options:': [],
    'Run:': ['serve', 'migrate', 'migrate-store', 'keys'],
    'Develop:': ['listen', 'forward', 'send', 'trigger', 'replay', 'tail', 'transform'],
    'Manage:': ['apps', 'endpoints', 'event-types', 'sources', 'tokens', 'messages', 'deliveries'],
    'Set up:': ['login', 'logout', 'completion', 'help'],
  });
  for (const command of ['apps', 'endpoints', 'event-types', 'sources', 'tokens', 'messages', 'deliveries']) {
    const sub = await runCli([command, '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, new RegExp(`^Usage: hookd ${command} `, 'm'));
    assert.match(sub.stdout, /Examples:\n {2}hookd /, command);
  }
});

test('endpoints create and update take a transformation from a file or standard input; none removes it', async (t) => {
  const { receiver, hookd, json } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'hookd-cli-transform-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'reshape.js');
  writeFileSync(script, "function handler(w) {\n  w.payload = { text: 'order ' + w.payload.data.n };\n  return w;\n}\n");
  await json(['apps', 'create', '--name', 'Acme', '--uid', 'acme']);
  const ep = await json(['endpoints', 'create', '--app', 'acme', '--url', receiver.url, '--transformation', script]);
  assert.match(ep.transformation, /function handler/);
  const shown = ok(await hookd(['endpoints', 'get', ep.id, '--app', 'acme']), 'get');
  assert.match(shown, /transformation: +4 lines of JavaScript/);
  await json(['messages', 'send', '--app', 'acme', '--type', 'order.created', '--data', '{"n": 7}']);
  await delivered(receiver, 1);
  assert.deepEqual(JSON.parse(receiver.requests[0]?.body ?? ''), { text: 'order 7' });

  const broken = await hookd(['endpoints', 'update', ep.id, '--app', 'acme', '--transformation', '-'], {
    input: 'function handler(w) {',
  });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /\(transformation_invalid\)/);
  const removed = await json(['endpoints', 'update', ep.id, '--app', 'acme', '--transformation', 'none']);
  assert.equal(removed.transformation, null);
  const unreadable = await hookd(['endpoints', 'update', ep.id, '--app', 'acme', '--transformation', join(dir, 'nope.js')]);
  assert.equal(unreadable.code, 1);
  assert.match(unreadable.stderr, /cannot read .*nope\.js/);
});
