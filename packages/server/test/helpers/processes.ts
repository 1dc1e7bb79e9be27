/** hookd as a user runs it: `hookd serve` in a child process, killed or stopped by the test. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookdCommand } from './built.js';
import { eventually, TEST_MASTER_KEY } from './hookd.js';

/**
 * Settings every child starts with: loopback endpoints allowed, quick retries, silent logs. Several busy
 * processes share two cores in these tests: an attempt timed out by a starved event loop would be sent
 * again, so the timeout is generous, and the lease outlasts it.
 */
const CHILD_DEFAULTS: Record<string, string> = {
  HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
  HOOKD_LOG_LEVEL: 'silent',
  HOOKD_TIMEOUT: '5s',
  HOOKD_LEASE: '8s',
  HOOKD_RETRY_SCHEDULE: '0,100ms,100ms,100ms,100ms',
  HOOKD_RETRY_JITTER: '0',
  HOOKD_POLL_INTERVAL: '50ms',
  HOOKD_MASTER_KEY: TEST_MASTER_KEY,
};

/**
 * A port nothing listens on, for tests of "cannot reach hookd". Servers themselves listen on port 0 and say the port
 * they got (see `bannerUrl`): a port found free here and taken later may be taken by someone else meanwhile.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the built `hookd serve` with the given HOOKD_* settings on top of the defaults, and `nodeArgs` for node
 * itself (the bench's `--cpu-prof`).
 */
export function spawnHookd(settings: Record<string, string>, nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, ...hookdCommand(), 'serve'], {
    env: { ...process.env, ...CHILD_DEFAULTS, ...settings },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * The URL a child's start-up banner gives on stderr after `label` (`API:`, `health:`, `hookd listen on`): a child
 * started on port 0 says there which port it got. Rejects if the child exits first or after `timeoutMs`.
 */
export function bannerUrl(child: ChildProcess, label: string, timeoutMs = 20_000): Promise<string> {
  const pattern = new RegExp(`${label}\\s+(http://[^\\s/]+)`);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (error: Error | null, url?: string) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(url as string);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) done(null, match[1]);
    };
    const onExit = (code: number | null) => done(new Error(`the child exited (${code}) before naming its URL\n${text}`));
    const timer = setTimeout(() => done(new Error(`no "${label}" URL on stderr within ${timeoutMs} ms\n${text}`)), timeoutMs);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts `hookd serve` on port 0 (the health port for `HOOKD_ROLE: 'worker'`), unless `settings` name a port, and
 * resolves with the base URL its banner names.
 */
export async function spawnServing(settings: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const worker = settings.HOOKD_ROLE === 'worker';
  const child = spawnHookd({ ...(worker ? { HOOKD_HEALTH_PORT: '0' } : { HOOKD_PORT: '0' }), ...settings });
  const base = await bannerUrl(child, worker ? 'health:' : 'API:').catch(async (error) => {
    await killHard(child);
    throw error;
  });
  return { child, base };
}

/**
 * A `hookd serve` child on port 0 with a fresh data folder, answering /readyz; killed, and its folder removed,
 * when the test ends.
 */
export async function serveHookd(
  t: { after(fn: () => unknown): void },
  settings: Record<string, string> = {},
): Promise<{ base: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-serve-'));
  let child: ChildProcess | null = null;
  t.after(async () => {
    if (child) await killHard(child);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const served = await spawnServing({ HOOKD_DATA_DIR: dataDir, ...settings });
  child = served.child;
  const { base } = served;
  await waitReady(base);
  return { base, dataDir };
}

/** Waits until `${base}/readyz` (or another path) answers 200. */
export async function waitReady(base: string, path = '/readyz', timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(base + path)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    `${base}${path} to answer 200`,
  );
}

export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
