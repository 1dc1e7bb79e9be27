/**
 * Wake-ups across PostgreSQL workers: an API process and 4 worker processes against the same with 1 worker, 1
 * endpoint, publishes in an open loop for 4 s at 50, 200 and 1,000 a second (after 200 of warm-up). A publish's NOTIFY
 * wakes one worker, which wakes the rest only when it cannot take the work on; were every worker woken for every
 * publish, each would claim for each. Per rate: the claims a delivery (counted in each hookd process by
 * `bench/pg-statements.cjs`), the workers' and the backends' CPU a delivery over the window (its idle edges included),
 * and publish-to-receive p50 and p99; 4 workers against 1 in the same run.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuMeter, inMicroseconds, perUnit } from '../cpu.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, publishLatencies } from '../hookd.js';
import { percentile, startReceivers } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_000c;
const RATES = [50, 200, 1_000];
const SECONDS = 4;
const WORKERS = 4;
const STATEMENTS = fileURLToPath(new URL('../pg-statements.cjs', import.meta.url));
/** pg-statements.cjs writes its counts every second. */
const COUNTS_SETTLE_MS = 1_200;

interface AtRate {
  claimsPerDelivery: number;
  cpuUs: Record<string, number>;
  p50: number;
  p99: number;
}

/** Claims each process has sent so far, summed. */
function claimsSoFar(dir: string): number {
  let claims = 0;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n').slice(1)) {
      const [count, statement] = line.split('\t');
      if (statement === 'hookd_claim') claims += Number(count);
    }
  }
  return claims;
}

async function measure(workers: number, bodies: readonly string[]): Promise<AtRate[]> {
  const counts = join(tmpdir(), `hookd-bench-wake-${process.pid}-${workers}`);
  rmSync(counts, { recursive: true, force: true });
  const receivers = await startReceivers([{ kind: 'fast' }]);
  const db = await createDatabase('PostgreSQL');
  const meter = await CpuMeter.open(db.url);
  const deployment = new Deployment(db.url, { NODE_OPTIONS: `--require ${STATEMENTS}`, HOOKD_PG_STATEMENTS_DIR: counts });
  try {
    await deployment.startApi('api');
    await deployment.startWorkers(workers);
    await deployment.createApp(receivers.urls);
    await publishLatencies(deployment, receivers, bodies, 200, 1);
    const results: AtRate[] = [];
    for (const rate of RATES) {
      await new Promise((resolve) => setTimeout(resolve, COUNTS_SETTLE_MS));
      receivers.clear();
      const claimsBefore = claimsSoFar(counts);
      const before = await meter.sample(deployment.groups);
      const latencies = await publishLatencies(deployment, receivers, bodies, rate, SECONDS);
      await new Promise((resolve) => setTimeout(resolve, COUNTS_SETTLE_MS));
      const spent = perUnit(CpuMeter.spent(before, await meter.sample(deployment.groups)), latencies.length);
      results.push({
        claimsPerDelivery: (claimsSoFar(counts) - claimsBefore) / latencies.length,
        cpuUs: inMicroseconds(spent).groups,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
      });
    }
    return results;
  } finally {
    await deployment.stop();
    await meter.close();
    await receivers.close();
    await db.drop();
    rmSync(counts, { recursive: true, force: true });
  }
}

const figure: Figure = {
  name: 'wake',
  description: `wake-ups across ${WORKERS} PostgreSQL workers against 1: claims a delivery and latency at ${RATES.join(', ')} publishes/s`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: 500 }, () => seededJsonBody(random, 1024));
    const one = await measure(1, bodies);
    const several = await measure(WORKERS, bodies);
    return RATES.flatMap((rate, i) => {
      const [alone, shared] = [one[i] as AtRate, several[i] as AtRate];
      const details = { seconds: SECONDS, cpuUs: { [WORKERS]: shared.cpuUs, 1: alone.cpuUs } };
      return [
        compared({
          figure: `claims a delivery, ${WORKERS} PostgreSQL workers, ${rate} publishes/s`,
          value: shared.claimsPerDelivery,
          unit: 'claims/delivery',
          better: 'lower',
          baseline: { name: 'one worker, same run', value: alone.claimsPerDelivery },
          details,
        }),
        compared({
          figure: `publish-to-receive p99, ${WORKERS} PostgreSQL workers, ${rate} publishes/s`,
          value: shared.p99,
          unit: 'ms',
          better: 'lower',
          baseline: { name: 'one worker, same run', value: alone.p99 },
          details: { p50: shared.p50, p50OneWorker: alone.p50 },
        }),
      ];
    });
  },
};

export default figure;
