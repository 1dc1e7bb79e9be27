/**
 * Start-up: the time from starting the built `hookd serve` (what `npm start` and the `hookd` command run) to its
 * first `200` on /readyz, on an empty data folder (migrations included) and on a SQLite file holding 1,000,000
 * pending deliveries. Baseline, in the same run: Node starting a bare node:http server and answering its first
 * request, the floor any Node service pays. Median of RUNS starts each.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, killHard } from '../../packages/server/test/helpers/processes.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, seedBacklog, TOKEN } from '../hookd.js';
import { percentile, startReceivers } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOKD = fileURLToPath(new URL('../../packages/server/bin/hookd.js', import.meta.url));
const SEED = 0x5eed_0007;
const RUNS = 5;
const MESSAGES = 100_000;
const ENDPOINTS = 10;
const GOAL_MS = 1_000;

const BARE_SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

/** Milliseconds from spawning `start(port)` to a 200 on `path`, polled every 2 ms. */
async function timeToReady(start: (port: number) => ChildProcess, path: string): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = start(port);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`bench: the process exited ${child.exitCode} before answering`);
      const ok = await fetch(`http://127.0.0.1:${port}${path}`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - began;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await killHard(child);
  }
}

async function median(start: (port: number) => ChildProcess, path: string): Promise<{ median: number; runs: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeToReady(start, path));
  return { median: percentile(runs, 0.5), runs };
}

function serve(databaseUrl: string): (port: number) => ChildProcess {
  return (port) =>
    spawn(process.execPath, [HOOKD, 'serve'], {
      env: {
        ...process.env,
        HOOKD_ADMIN_TOKEN: TOKEN,
        HOOKD_DATABASE_URL: databaseUrl,
        HOOKD_PORT: String(port),
        HOOKD_LOG_LEVEL: 'warn',
        HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
      },
      stdio: 'ignore',
    });
}

/** A fresh data folder for every start, so each one creates its file and applies every migration. */
async function emptyFolder(): Promise<{ median: number; runs: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const db = await createDatabase('SQLite');
    try {
      runs.push(await timeToReady(serve(db.url), '/readyz'));
    } finally {
      await db.drop();
    }
  }
  return { median: percentile(runs, 0.5), runs };
}

/** One SQLite file with MESSAGES × ENDPOINTS pending deliveries, started RUNS times. */
async function withBacklog(urls: readonly string[]): Promise<{ median: number; runs: number[] }> {
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url);
  try {
    await deployment.prepareBacklog(urls, seededJsonBody(seededRandom(SEED), 1024));
    seedBacklog(db.url.slice('sqlite:'.length), MESSAGES);
    return await median(serve(db.url), '/readyz');
  } finally {
    await deployment.stop();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'startup',
  description: `time from the built hookd serve to /readyz 200, empty and with ${(MESSAGES * ENDPOINTS).toLocaleString('en-US')} deliveries pending`,
  async run(): Promise<Row[]> {
    // What users run is the build: measure this tree's, not an older one.
    if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
      throw new Error('bench: build failed');
    const bare = await median(
      (port) => spawn(process.execPath, ['-e', BARE_SERVER], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }),
      '/',
    );
    const empty = await emptyFolder();
    // Receivers that accept and never answer: the backlog stays pending while the server starts.
    const receivers = await startReceivers(Array.from({ length: ENDPOINTS }, () => ({ kind: 'hang' as const })));
    let backlog: { median: number; runs: number[] };
    try {
      backlog = await withBacklog(receivers.urls);
    } finally {
      await receivers.close();
    }
    const baseline = { name: 'bare node:http server', value: bare.median };
    return [
      compared({
        figure: 'start-up to /readyz, empty data folder, SQLite',
        value: empty.median,
        unit: 'ms',
        better: 'lower',
        baseline,
        bound: GOAL_MS,
        details: { runs: empty.runs, bareRuns: bare.runs },
      }),
      compared({
        figure: `start-up to /readyz, ${(MESSAGES * ENDPOINTS).toLocaleString('en-US')} deliveries pending, SQLite`,
        value: backlog.median,
        unit: 'ms',
        better: 'lower',
        baseline,
        details: { runs: backlog.runs, messages: MESSAGES, endpoints: ENDPOINTS },
      }),
    ];
  },
};

export default figure;
