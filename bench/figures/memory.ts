/**
 * Memory with a backlog: the resident memory (VmRSS) of a `hookd serve` process on SQLite holding 1,000,000 pending
 * deliveries (100,000 messages to 10 endpoints whose receivers are paused: they accept and never answer), its worker
 * running with all 256 slots waiting on them; baseline, in the same run, the same server idle (the same app and
 * endpoints, nothing pending). Goal: within 100 MiB of idle, as the backlog lives on disk.
 * The backlog is written straight into the SQLite file (seedBacklog).
 */
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, residentMiB, seedBacklog } from '../hookd.js';
import { startReceivers, waitFor } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0006;
const ENDPOINTS = 10;
const MESSAGES = 100_000;
const SETTLE_MS = 2_000;
const SAMPLE_MS = 4_000;
const GOAL_MIB_ABOVE_IDLE = 100;

/** The highest VmRSS of `pid` over SAMPLE_MS, sampled every 100 ms. */
async function peakResident(pid: number): Promise<number> {
  let peak = 0;
  for (const end = Date.now() + SAMPLE_MS; Date.now() < end; ) {
    peak = Math.max(peak, residentMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return peak;
}

/** A server with the app and its endpoints; `backlog` seeds the deliveries before the worker starts. */
async function resident(urls: readonly string[], backlog: boolean, count: () => number): Promise<number> {
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url);
  try {
    await deployment.prepareBacklog(urls, seededJsonBody(seededRandom(SEED), 1024));
    if (backlog) seedBacklog(db.url.slice('sqlite:'.length), MESSAGES);
    const child = await deployment.startApi('both');
    // With a backlog, every slot of the worker is taken by a paused receiver before the sampling starts.
    if (backlog) await waitFor(() => count() >= 256, 60_000, 'the worker to fill its slots');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return await peakResident(child.pid as number);
  } finally {
    await deployment.stop();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'memory',
  description: `resident memory of hookd (SQLite) with ${(MESSAGES * ENDPOINTS).toLocaleString('en-US')} deliveries pending vs idle`,
  async run(): Promise<Row[]> {
    const receivers = await startReceivers(Array.from({ length: ENDPOINTS }, () => ({ kind: 'hang' as const })));
    try {
      const idle = await resident(receivers.urls, false, receivers.count);
      const value = await resident(receivers.urls, true, receivers.count);
      const row = compared({
        figure: `resident memory, ${(MESSAGES * ENDPOINTS).toLocaleString('en-US')} deliveries pending, SQLite`,
        value,
        unit: 'MiB',
        better: 'lower',
        baseline: { name: 'the same server idle', value: idle },
        details: { messages: MESSAGES, endpoints: ENDPOINTS, inFlight: receivers.count(), aboveIdleMiB: value - idle },
      });
      return [{ ...row, bound: Math.round(idle + GOAL_MIB_ABOVE_IDLE), met: value < idle + GOAL_MIB_ABOVE_IDLE }];
    } finally {
      await receivers.close();
    }
  },
};

export default figure;
