import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { ConfigError, type ConfigOption, loadConfig, OPTIONS } from './config.js';
import { DEFAULT_JITTER, DEFAULT_SCHEDULE_MS } from './domain/index.js';

/** A config file holding `settings`, in a folder removed when the test ends. */
function configFile(t: TestContext, settings: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hookd.json');
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

test('defaults: 127.0.0.1:8080, SQLite in ./data, the documented retry schedule, no extra networks', () => {
  const config = loadConfig();
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.databaseUrl, 'sqlite:data/hookd.db');
  assert.equal(config.adminToken, null);
  assert.deepEqual(config.allowedNetworks, []);
  assert.deepEqual(config.delivery.retryScheduleMs, DEFAULT_SCHEDULE_MS);
  assert.equal(config.delivery.jitter, DEFAULT_JITTER);
  assert.equal(config.delivery.timeoutMs, 30_000);
  assert.equal(config.delivery.leaseMs, 60_000);
  assert.equal(config.bodyLimitBytes, 1024 * 1024);
});

test('an admin token of 32 characters is accepted', () => {
  assert.equal(loadConfig({ env: { HOOKD_ADMIN_TOKEN: 'x'.repeat(32) } }).adminToken, 'x'.repeat(32));
});

test('flags beat HOOKD_* variables, which beat the config file', (t) => {
  const file = configFile(t, { port: 7000, host: '0.0.0.0', logLevel: 'warn' });
  const config = loadConfig({ file, env: { HOOKD_PORT: '7001', HOOKD_HOST: '::1' }, flags: { port: '7002' } });
  assert.equal(config.port, 7002);
  assert.equal(config.host, '::1');
  assert.equal(config.logLevel, 'warn');
});

test('durations and lists are read in human units', () => {
  const config = loadConfig({
    env: { HOOKD_RETRY_SCHEDULE: '0,500ms,2s,1m', HOOKD_TIMEOUT: '5s', HOOKD_ALLOW_NETWORKS: '10.0.0.0/8, ::1/128' },
  });
  assert.deepEqual(config.delivery.retryScheduleMs, [0, 500, 2000, 60_000]);
  assert.equal(config.delivery.leaseMs, 35_000);
  assert.deepEqual(config.allowNetworks, ['10.0.0.0/8', '::1/128']);
});

test('bad values are refused with a message naming the variable, the flag and what was expected', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ HOOKD_PORT: 'eighty' }, /HOOKD_PORT \(--port\): expected a port number/],
    [{ HOOKD_TIMEOUT: '5 minutes' }, /HOOKD_TIMEOUT .*duration/],
    [{ HOOKD_ALLOW_NETWORKS: '10.0.0.0/33' }, /HOOKD_ALLOW_NETWORKS .*CIDR/],
    [{ HOOKD_LOG_LEVEL: 'loud' }, /HOOKD_LOG_LEVEL/],
    [{ HOOKD_TIMEOUT: '10s', HOOKD_LEASE: '5s' }, /HOOKD_LEASE .* longer than HOOKD_TIMEOUT/],
    [{ HOOKD_PUBLIC_URL: 'hooks.example.com' }, /HOOKD_PUBLIC_URL \(--public-url\): expected an http\(s\) URL/],
    [{ HOOKD_PUBLIC_URL: 'ftp://hooks.example.com' }, /HOOKD_PUBLIC_URL/],
    [{ HOOKD_PUBLIC_URL: 'https://hooks.example.com/?x=1' }, /HOOKD_PUBLIC_URL/],
    [{ HOOKD_ADMIN_TOKEN: 'secret' }, /HOOKD_ADMIN_TOKEN \(--admin-token\) must be at least 32 characters \(it has 6\)/],
    [{ HOOKD_ADMIN_TOKEN: 'x'.repeat(31) }, /HOOKD_ADMIN_TOKEN \(--admin-token\) must be at least 32/],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => loadConfig({ env }),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
});

test('HOOKD_PUBLIC_URL is kept without its trailing slash; unset, hookd uses each request’s own address', () => {
  assert.equal(
    loadConfig({ env: { HOOKD_PUBLIC_URL: 'https://hooks.example.com/relay/' } }).publicUrl,
    'https://hooks.example.com/relay',
  );
  assert.equal(loadConfig().publicUrl, null);
});

test('a config file with an unknown setting is refused with the valid keys listed', (t) => {
  const file = configFile(t, { prot: 8080 });
  assert.throws(() => loadConfig({ file }), /unknown setting "prot"/);
  assert.throws(
    () => loadConfig({ file }),
    (e: Error) => Object.keys(OPTIONS).every((key) => e.message.includes(key)),
  );
  assert.throws(() => loadConfig({ file }), /did you mean "port"\?/);
});

test('config files are made in folders the tests remove: none is left behind', async (t) => {
  let dir = '';
  await t.test('a test writing one', (sub) => {
    dir = dirname(configFile(sub, { port: 7000 }));
    assert.ok(existsSync(dir));
  });
  assert.equal(existsSync(dir), false);
});

test('the README configuration table lists every setting with its flag and default', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const rows = readme
    .split('\n')
    .filter((line) => line.startsWith('| `HOOKD_'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const expected = Object.entries(OPTIONS).map(([key, o]: [string, ConfigOption]) => [
    `\`${o.env}\``,
    `\`--${o.flag}\``,
    `\`${key}\``,
    o.help,
    o.default ?? o.computed,
  ]);
  assert.deepEqual(rows, expected);
});

test('HOOKD_SEARCH_FIELDS lists payload paths, none by default, and refuses a path that is not one', () => {
  assert.deepEqual(loadConfig({}).searchFields, []);
  assert.throws(() => loadConfig({ env: { HOOKD_SEARCH_FIELDS: "data['x']" } }), /HOOKD_SEARCH_FIELDS \(--search-fields\)/);
});

test('HOOKD_PORTAL_FRAME_ANCESTORS takes https origins or none, and refuses what would break the header', () => {
  assert.equal(loadConfig({}).portalFrameAncestors, "'none'");
  for (const bad of ['*', 'http://a.example.com', "https://a.example.com; script-src 'unsafe-inline'", "'none' https://a.com"]) {
    assert.throws(() => loadConfig({ env: { HOOKD_PORTAL_FRAME_ANCESTORS: bad } }), /HOOKD_PORTAL_FRAME_ANCESTORS/, bad);
  }
});

test('HOOKD_TRUST_PROXY lists CIDRs, none by default, and refuses anything else', () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.deepEqual(loadConfig({ env: { HOOKD_TRUST_PROXY: '10.0.0.0/8, ::1/128' } }).trustProxy, ['10.0.0.0/8', '::1/128']);
  assert.throws(() => loadConfig({ env: { HOOKD_TRUST_PROXY: 'my-proxy' } }), /HOOKD_TRUST_PROXY \(--trust-proxy\)/);
});

test('each setting lands where its entry in OPTIONS says (`to`), parsed by its kind', () => {
  const samples: Record<string, [string, unknown]> = {
    role: ['api', 'api'],
    string: ['x'.repeat(40), 'x'.repeat(40)],
    url: ['https://hooks.example.com', 'https://hooks.example.com'],
    port: ['7', 7],
    count: ['7', 7],
    bytes: ['7', 7],
    fraction: ['0.7', 0.7],
    duration: ['77s', 77_000],
    durations: ['1s,2s', [1000, 2000]],
    networks: ['10.0.0.0/8', ['10.0.0.0/8']],
    paths: [
      'data.order_id, data.customer.id',
      [
        ['data', 'order_id'],
        ['data', 'customer', 'id'],
      ],
    ],
    level: ['warn', 'warn'],
    masterKeys: [`${'A'.repeat(43)}=,${'B'.repeat(43)}=`, `${'A'.repeat(43)}=,${'B'.repeat(43)}=`],
    frameAncestors: ['https://app.example.com  https://*.example.org', 'https://app.example.com https://*.example.org'],
  };
  for (const [name, option] of Object.entries(OPTIONS)) {
    const [text, value] = samples[option.kind] as [string, unknown];
    const path = ('to' in option ? option.to : name).split('.');
    const at = (config: object) => path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
    assert.deepEqual(at(loadConfig({ env: { [option.env]: text } })), value, name);
    assert.notDeepEqual(at(loadConfig()), value, `${name}: the sample is not its default`);
  }
});
