/**
 * Secrets at rest, end to end on real SQLite and PostgreSQL: no endpoint secret, ed25519 key, credential or source
 * secret is in the database's bytes in clear; deliveries still verify; a plain-text database is encrypted at its
 * first start; a wrong key refuses to start; `hookd keys rotate` under load loses nothing, then the old key is gone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { newEndpoint, newId } from '../src/domain/index.js';
import { generateMasterKey, keyFilePath, openStore, readKeyFile, type Store } from '../src/store/index.js';
import { runCli, startCli } from './helpers/cli.js';
import { eventually, sharedDataDir, startTestHookd, TEST_MASTER_KEY, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const PASSWORD = 'pa55-word-at-rest';
const HEADER_VALUE = 'header-value-at-rest';
const CLIENT_SECRET = 'oauth-client-secret-at-rest';
const SOURCE_SECRET = 'source-secret-at-rest';
const PATCHED_HEADER_VALUE = 'patched-header-value-at-rest';
/** Where the receiver helper's URL points: the HMAC endpoint's path; the others add to it. */
const HMAC_PATH = '/webhook';

async function withReceiver(t: TestContext): Promise<Receiver> {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  return receiver;
}

/**
 * Endpoints of every kind and a source, through the API; every secret they hold, read back in clear through the
 * process's own store (the ed25519 key is never shown by the API).
 */
async function seed(server: TestHookd, receiver: Receiver): Promise<{ secrets: string[]; whsec: string }> {
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'other', name: 'Other' })).status, 201);
  const hmac = await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url });
  assert.equal(hmac.status, 201);
  const ed = await server.call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/ed`, signatureScheme: 'ed25519' });
  assert.equal(ed.status, 201);
  const basic = await server.call('POST', '/v1/apps/acme/endpoints', {
    url: `${receiver.url}/basic`,
    auth: { type: 'basic', username: 'hookd', password: PASSWORD },
    secretHeaders: { 'X-Api-Key': HEADER_VALUE },
  });
  assert.equal(basic.status, 201, JSON.stringify(basic.body));
  const oauth = await server.call('POST', '/v1/apps/other/endpoints', {
    url: `${receiver.url}/oauth`,
    auth: { type: 'oauth2', tokenUrl: `${receiver.url}/token`, clientId: 'hookd', clientSecret: CLIENT_SECRET },
  });
  assert.equal(oauth.status, 201, JSON.stringify(oauth.body));
  const source = await server.call('POST', '/v1/sources', {
    name: 'gh',
    scheme: 'github',
    secrets: [SOURCE_SECRET],
    destinations: [{ url: `${receiver.url}/gh` }],
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  const store = server.hookd.store;
  const edKey = (await store.findEndpoint(ed.body.appId, ed.body.id))?.secret ?? '';
  assert.match(edKey, /^whsk_/);
  // A change that writes credentials and a new kind of secret together (the ed25519 key signs on beside it).
  const patched = await server.call('PATCH', `/v1/apps/acme/endpoints/${ed.body.id}`, {
    signatureScheme: 'standard',
    secretHeaders: { 'X-Api-Key': PATCHED_HEADER_VALUE },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const rotated = (await store.findEndpoint(ed.body.appId, ed.body.id))?.secret ?? '';
  assert.match(rotated, /^whsec_/);
  assert.equal((await store.findSource('gh'))?.secrets[0], SOURCE_SECRET, 'the store hands out secrets in clear');
  const secrets = [hmac.body.secret, edKey, rotated, PASSWORD, HEADER_VALUE, PATCHED_HEADER_VALUE, CLIENT_SECRET, SOURCE_SECRET];
  return { secrets, whsec: hmac.body.secret };
}

function assertNoneIn(bytes: Buffer, secrets: string[], where: string): void {
  assert.ok(bytes.length > 0, `${where} is not empty`);
  for (const secret of secrets) assert.equal(bytes.indexOf(secret), -1, `${where} holds ${secret.slice(0, 12)}… in clear`);
}

/** Publishes `n` events to acme and checks each request to the whsec endpoint verifies with its secret. */
async function publishAndVerify(server: TestHookd, receiver: Receiver, whsec: string, n = 1): Promise<void> {
  const before = receiver.requests.filter((r) => r.path === HMAC_PATH).length;
  for (let i = 0; i < n; i++) {
    assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { i } })).status, 202);
  }
  await eventually(() => (receiver.requests.filter((r) => r.path === HMAC_PATH).length >= before + n ? true : undefined), 10_000);
  for (const request of receiver.requests.filter((r) => r.path === HMAC_PATH)) {
    new Webhook(whsec).verify(request.body, request.headers as Record<string, string>);
  }
  // The Basic endpoint's delivery is sent beside the HMAC one, not before it: wait for it too.
  const basic = await eventually(() => receiver.requests.find((r) => r.path === `${HMAC_PATH}/basic`), 10_000);
  assert.equal(basic?.headers.authorization, `Basic ${Buffer.from(`hookd:${PASSWORD}`).toString('base64')}`);
  assert.equal(basic?.headers['x-api-key'], HEADER_VALUE);
}

test('SQLite: no secret is in the database file or its -wal in clear, and deliveries verify', async (t) => {
  const receiver = await withReceiver(t);
  const server = await startTestHookd();
  t.after(() => server.close());
  const { secrets, whsec } = await seed(server, receiver);
  await publishAndVerify(server, receiver, whsec);
  const db = join(server.dataDir, 'hookd.db');
  assert.ok(existsSync(`${db}-wal`));
  assertNoneIn(Buffer.concat([readFileSync(db), readFileSync(`${db}-wal`)]), secrets, 'hookd.db and hookd.db-wal');
});

/** Every row of every table of the database as text: what a SELECT of every column shows. */
async function everyRow(url: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
    const texts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
      texts.push(...rows.rows.map((r) => r.row));
    }
    return Buffer.from(texts.join('\n'));
  } finally {
    await client.end();
  }
}

test('PostgreSQL: neither pg_dump nor a SELECT of every row shows a secret in clear, and deliveries verify', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const receiver = await withReceiver(t);
  const server = await startTestHookd({ databaseUrl: db.url });
  t.after(async () => {
    await server.close();
    await db.drop();
  });
  const { secrets, whsec } = await seed(server, receiver);
  await publishAndVerify(server, receiver, whsec);
  assertNoneIn(await everyRow(db.url), secrets, 'the rows');
  const dump = spawnSync('pg_dump', ['--data-only', db.url], { maxBuffer: 64 * 1024 * 1024 });
  if (dump.error === undefined && dump.status === 0) assertNoneIn(dump.stdout, secrets, 'pg_dump');
  else t.diagnostic(`pg_dump did not run (${dump.error?.message ?? dump.stderr.toString().trim()}); the SELECT covered it`);
});

/** Publishes one event after another while a rotation runs; the function it returns stops and says how many. */
function publishUntilStopped(t: TestContext, server: TestHookd): () => Promise<number> {
  let published = 0;
  let publishing = true;
  t.after(() => {
    publishing = false;
  });
  const load = (async () => {
    while (publishing) {
      assert.equal(
        (await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { published } })).status,
        202,
      );
      published++;
    }
  })();
  return async () => {
    publishing = false;
    await load;
    return published;
  };
}

/** Waits until the HMAC endpoint got `count` deliveries, then verifies every one with its secret. */
async function allVerified(receiver: Receiver, whsec: string, count: number): Promise<void> {
  await eventually(() => (receiver.requests.filter((r) => r.path === HMAC_PATH).length >= count ? true : undefined), 20_000);
  for (const request of receiver.requests.filter((r) => r.path === HMAC_PATH)) {
    new Webhook(whsec).verify(request.body, request.headers as Record<string, string>);
  }
}

/** Writes an app and an endpoint straight into the store, as a hookd before encryption did. */
async function plainEndpoint(store: Store, url: string, secret: string): Promise<void> {
  const now = Date.now();
  const app = { id: newId('app', now), uid: 'acme', name: 'Acme', alertWhenSilent: false, maxInFlight: null };
  await store.createApp({ ...app, createdAt: now, updatedAt: now });
  await store.createEndpoint(newEndpoint({ appId: app.id, url, secret }, now));
}

test('a database written in plain text is encrypted at its first start, and its endpoints still verify', async (t) => {
  const receiver = await withReceiver(t);
  const dataDir = sharedDataDir();
  const path = join(dataDir, 'hookd.db');
  const secret = `whsec_${Buffer.from('a plain secret of an older hookd').toString('base64')}`;
  const raw = await openStore(`sqlite:${path}`);
  await plainEndpoint(raw, receiver.url, secret);
  await raw.close();
  assert.notEqual(readFileSync(path).indexOf(secret), -1, 'the fixture holds the secret in clear');

  const server = await startTestHookd({ dataDir });
  t.after(() => server.close());
  const stored = await openStore(`sqlite:${path}`);
  t.after(() => stored.close());
  const app = await stored.findApp('acme');
  const [endpoint] = (await stored.listEndpoints(app?.id ?? '', { limit: 10 })).data;
  assert.match(endpoint?.secret ?? '', /^enc1:k_[0-9a-f]{8}:/, 'sealed in the table');
  const wal = existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0);
  assertNoneIn(Buffer.concat([readFileSync(path), wal]), [secret], 'hookd.db and its -wal after the first start');
  await publishAndVerifyPlain(server, receiver, secret);
});

async function publishAndVerifyPlain(server: TestHookd, receiver: Receiver, whsec: string): Promise<void> {
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  const [request] = await receiver.waitFor(1);
  new Webhook(whsec).verify(request?.body ?? '', request?.headers as Record<string, string>);
}

test('a hookd without the key the secrets are under refuses to start, and says which key', async () => {
  const dataDir = sharedDataDir();
  const first = await startTestHookd({ dataDir });
  await first.close();
  const other = generateMasterKey().key.toString('base64');
  await assert.rejects(
    startTestHookd({ dataDir, masterKey: other }),
    /this database's secrets are encrypted with key k_[0-9a-f]{8}, which this hookd does not have: give every hookd process the same HOOKD_MASTER_KEY/,
  );
  const served = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
    env: { HOOKD_MASTER_KEY: other },
  });
  assert.equal(served.code, 2);
  assert.match(served.stderr, /encrypted with key k_[0-9a-f]{8}, which this hookd does not have/);
  // With the right key, the banner names the key, so an operator can see that every process has the same.
  const cli = startCli(['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
    env: { HOOKD_MASTER_KEY: TEST_MASTER_KEY },
  });
  try {
    const banner = await cli.waitFor('endpoints may reach', { stream: 'stderr', timeoutMs: 20_000 });
    assert.match(banner, /secrets: +encrypted under key k_[0-9a-f]{8} \(from HOOKD_MASTER_KEY\)/);
  } finally {
    await cli.stop();
  }
});

test('hookd keys rotate while events are published: nothing lost, every delivery verifies, the old key is retired', async (t) => {
  const receiver = await withReceiver(t);
  const dataDir = sharedDataDir();
  // No HOOKD_MASTER_KEY: the data folder's master.key, created at first start.
  let server = await startTestHookd({ dataDir, masterKey: '' });
  const [before] = readKeyFile(dataDir);
  assert.ok(before);
  assert.equal(statSync(keyFilePath(dataDir)).mode & 0o777, 0o600, 'master.key is owner-only');
  const { whsec } = await seed(server, receiver);
  const stopLoad = publishUntilStopped(t, server);
  const rotated = await runCli(['keys', 'rotate', '--data-dir', dataDir], { env: { HOOKD_MASTER_KEY: '' } });
  assert.equal(rotated.code, 0, rotated.stderr);
  // An endpoint made after the rotation is sealed under the new key.
  const late = await server.call('POST', '/v1/apps/acme/endpoints', { url: `${receiver.url}/late` });
  assert.equal(late.status, 201);
  const published = await stopLoad();
  assert.ok(published > 0);
  const after = readKeyFile(dataDir);
  assert.equal(after.length, 1, 'the old key is retired from the file');
  assert.equal(statSync(keyFilePath(dataDir)).mode & 0o777, 0o600, 'and stays owner-only');
  assert.notEqual(after[0]?.id, before.id);
  assert.match(rotated.stderr, new RegExp(`resealed under ${after[0]?.id} \\(were under ${before.id}\\)`));
  await allVerified(receiver, whsec, published);

  // Restarted with only the new key, everything opens and is sent.
  await server.close();
  server = await startTestHookd({ dataDir, masterKey: '' });
  t.after(() => server.close());
  await publishAndVerify(server, receiver, whsec, 1);
  await eventually(() => (receiver.requests.some((r) => r.path === `${HMAC_PATH}/late`) ? true : undefined), 10_000);
});

test('PostgreSQL with HOOKD_MASTER_KEY: new,old everywhere, keys rotate under load, then the old key is dropped', async (t) => {
  const db = await testDatabase(t);
  if (!db) return;
  const receiver = await withReceiver(t);
  const [oldKey, newKey] = [generateMasterKey(), generateMasterKey()].map((k) => k.key.toString('base64')) as [string, string];
  const servers: TestHookd[] = [];
  t.after(async () => {
    for (const server of servers) await server.close();
    await db.drop();
  });
  const first = await startTestHookd({ databaseUrl: db.url, masterKey: oldKey });
  const { whsec } = await seed(first, receiver);
  await first.close();
  // Every process is given both keys, the new one first, before the rotation.
  const both = `${newKey},${oldKey}`;
  const api = await startTestHookd({ databaseUrl: db.url, masterKey: both, role: 'api' });
  const worker = await startTestHookd({ databaseUrl: db.url, masterKey: both, role: 'worker' });
  servers.push(api, worker);
  const stopLoad = publishUntilStopped(t, api);
  const rotated = await runCli(['keys', 'rotate', '--db', db.url], { env: { HOOKD_MASTER_KEY: both } });
  const published = await stopLoad();
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stderr, /keep only the first on every process/);
  await allVerified(receiver, whsec, published);
  const again = await runCli(['keys', 'rotate', '--db', db.url], { env: { HOOKD_MASTER_KEY: newKey } });
  assert.equal(again.code, 2, 'nothing to rotate to');
  assert.match(again.stderr, /already under k_[0-9a-f]{8}/);

  // The old key dropped: a process with only the new key runs; one with only the old key refuses to start.
  await assert.rejects(startTestHookd({ databaseUrl: db.url, masterKey: oldKey }), /which this hookd does not have/);
  const only = await startTestHookd({ databaseUrl: db.url, masterKey: newKey });
  servers.push(only);
  await api.close();
  await worker.close();
  servers.splice(0, 2);
  await publishAndVerify(only, receiver, whsec, 1);
});
