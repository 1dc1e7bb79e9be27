/**
 * kill -9 while publishing and delivering: every message that was acknowledged with a 202
 * reaches the receiver after a restart. Duplicates are allowed (at least once) and reported.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { callApi, eventually } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TOKEN = 'crash-test-token';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startChild(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), MAIN, 'serve'], {
    env: {
      ...process.env,
      HOOKD_PORT: String(port),
      HOOKD_DATA_DIR: dataDir,
      HOOKD_ADMIN_TOKEN: TOKEN,
      HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
      HOOKD_LOG_LEVEL: 'silent',
      HOOKD_TIMEOUT: '500ms',
      HOOKD_LEASE: '1s',
      HOOKD_RETRY_SCHEDULE: '0,100ms,100ms,100ms,100ms',
      HOOKD_RETRY_JITTER: '0',
      HOOKD_POLL_INTERVAL: '50ms',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitHealthy(base: string): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(`${base}/healthz`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    15_000,
    'the child server to start',
  );
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('every acknowledged message is delivered after kill -9 during publishing and delivery', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-crash-'));
  // A receiver that takes a little time, so deliveries are in flight when the process dies.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 20) }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = startChild(dataDir, port);
  t.after(async () => {
    if (child.exitCode === null) await killHard(child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await waitHealthy(base);
  await callApi(base, TOKEN, 'POST', '/v1/apps', { uid: 'crash', name: 'Crash' });
  await callApi(base, TOKEN, 'POST', '/v1/apps/crash/endpoints', { url: receiver.url });

  const acknowledged = new Set<string>();
  let refused = 0;
  async function publishFor(ms: number): Promise<void> {
    const until = Date.now() + ms;
    const publisher = async () => {
      while (Date.now() < until) {
        try {
          const answer = await callApi(base, TOKEN, 'POST', '/v1/apps/crash/events', {
            type: 'crash.test',
            data: { n: acknowledged.size },
          });
          if (answer.status === 202) acknowledged.add(answer.body.id);
        } catch {
          refused++; // Not acknowledged: the process died before answering.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, publisher));
  }

  for (let round = 0; round < 3; round++) {
    const publishing = publishFor(1_500);
    await new Promise((resolve) => setTimeout(resolve, 400 + Math.floor(Math.random() * 600)));
    await killHard(child);
    await publishing;
    child = startChild(dataDir, port);
    await waitHealthy(base);
  }
  await publishFor(300);

  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return [...acknowledged].every((id) => seen.has(id)) ? true : undefined;
    },
    30_000,
    'every acknowledged message to arrive',
  );
  const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
  const lost = [...acknowledged].filter((id) => !seen.has(id));
  const duplicates = receiver.requests.length - seen.size;
  t.diagnostic(
    `acknowledged ${acknowledged.size}, received ${receiver.requests.length}, duplicates ${duplicates}, failed publishes ${refused}`,
  );
  assert.ok(acknowledged.size > 100, `only ${acknowledged.size} messages were acknowledged`);
  assert.deepEqual(lost, []);
});
