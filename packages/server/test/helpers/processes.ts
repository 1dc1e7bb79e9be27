/** hookd as a user runs it: `hookd serve` in a child process, killed or stopped by the test. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './hookd.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

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
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `hookd serve` through tsx with the given HOOKD_* settings on top of the defaults. */
export function spawnHookd(settings: Record<string, string>): ChildProcess {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  return spawn(process.execPath, [...execArgv, MAIN, 'serve'], {
    env: { ...process.env, ...CHILD_DEFAULTS, ...settings },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * A `hookd serve` child on a free port with a fresh data folder, answering /readyz; killed, and its folder removed,
 * when the test ends.
 */
export async function serveHookd(
  t: { after(fn: () => unknown): void },
  settings: Record<string, string> = {},
): Promise<{ base: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-serve-'));
  const port = await freePort();
  const child = spawnHookd({ HOOKD_PORT: String(port), HOOKD_DATA_DIR: dataDir, ...settings });
  t.after(async () => {
    await killHard(child);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
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
