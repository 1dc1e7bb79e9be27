/**
 * The data folder holds every endpoint secret and the admin token: it is owner-only (0700, files 0600), whether
 * hookd creates it or finds it left readable by an older start; and the start banner shows the admin token only on
 * the start that generated it, since the banner ends up in container logs.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { type Hookd, loadConfig, startHookd } from '../src/index.js';
import { startCli } from './helpers/cli.js';
import { callApi, FAST, sharedDataDir } from './helpers/hookd.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const FILES = ['hookd.db', 'hookd.db-wal', 'hookd.db-shm', 'hookd.db.pid', 'admin-token'];

/** A data folder hookd has yet to create, in a folder removed once every hookd on it is closed. */
const scratch = (): string => join(sharedDataDir(), 'data');

async function start(dataDir: string) {
  const config = loadConfig({ flags: { ...FAST, dataDir } });
  return startHookd({ config, logger: pino({ level: 'silent' }) });
}

/** A write through the API, so the -wal file is there. */
async function write(hookd: Hookd, uid: string): Promise<void> {
  const answer = await callApi(hookd.url ?? '', hookd.adminToken, 'POST', '/v1/apps', { uid, name: uid });
  assert.equal(answer.status, 201);
}

function assertPrivate(dataDir: string): void {
  assert.equal(mode(dataDir).toString(8), '700', 'data folder');
  for (const file of FILES) {
    const path = join(dataDir, file);
    assert.ok(existsSync(path), `${file} exists while hookd runs`);
    assert.equal(mode(path).toString(8), '600', file);
  }
}

test('a new data folder is 0700 and the database, its -wal and -shm and the admin token are 0600', async (t) => {
  const previous = process.umask(0o022);
  t.after(() => process.umask(previous));
  const dataDir = scratch();
  const hookd = await start(dataDir);
  t.after(() => hookd.close());
  await write(hookd, 'acme');
  assertPrivate(dataDir);
});

test('a data folder left readable by an older start is made owner-only at start', async (t) => {
  const previous = process.umask(0o022);
  t.after(() => process.umask(previous));
  const dataDir = scratch();
  const first = await start(dataDir);
  await write(first, 'acme');
  await first.close();
  // As an older hookd left them under a umask of 022, with the -wal and -shm a crash leaves behind.
  chmodSync(dataDir, 0o755);
  for (const file of FILES) writeFileSync(join(dataDir, file), '', { flag: 'a' });
  for (const file of FILES) chmodSync(join(dataDir, file), 0o644);
  const second = await start(dataDir);
  t.after(() => second.close());
  await write(second, 'other');
  assertPrivate(dataDir);
});

/** Runs `hookd serve` until its banner is out, then stops it; returns the banner. */
async function serveBanner(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const cli = startCli(['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], { env });
  try {
    return await cli.waitFor('endpoints may reach', { stream: 'stderr', timeoutMs: 20_000 });
  } finally {
    await cli.stop();
  }
}

test('the banner shows a generated admin token on the first start only, then where it is kept', {
  timeout: 60_000,
}, async () => {
  const dataDir = scratch();
  const first = await serveBanner(dataDir);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  assert.ok(first.includes(token), `the first start shows the new token:\n${first}`);

  const second = await serveBanner(dataDir);
  assert.ok(!second.includes(token), `a later start does not show the token:\n${second}`);
  assert.match(second, /admin token: +in .*admin-token/);

  const given = 'an-admin-token-from-the-environment-0123456789';
  const third = await serveBanner(dataDir, { HOOKD_ADMIN_TOKEN: given });
  assert.ok(!third.includes(given) && !third.includes(token), `a token from the environment is never shown:\n${third}`);
});
