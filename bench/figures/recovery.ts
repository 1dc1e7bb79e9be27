/**
 * Recovery in bulk: a recovery job over 100,000 failed deliveries (50,000 messages to 2 endpoints, written straight
 * into the SQLite file as failed) on one `hookd serve` process, while publishes keep arriving at a steady 100 per
 * second. Measured: the publish p99 during the job against the same load before it (the baseline, same run), the
 * process's peak resident memory during the job (bounded: the job reads 500 rows per batch, never the whole set), and
 * how long the job took to re-queue them all. The re-queued deliveries go to fast receivers while it runs.
 */
import { bounded, compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, residentMiB, seedBacklog } from '../hookd.js';
import { openLoop, percentile, startReceivers } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0011;
const MESSAGES = 50_000;
const ENDPOINTS = 2;
const RATE = 100;
const BASELINE_PUBLISHES = 600;
const GOAL_RSS_MIB = 300;
/** Publishes during a job may be this many times slower at p99 than without one, at most. */
const GOAL_P99_RATIO = 5;

/** Publishes `count` events at RATE per second; each publish's latency from its due time (an open loop). */
async function publishLatencies(deployment: Deployment, body: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  await openLoop(RATE, count, async (_n, due) => {
    await deployment.publish(body);
    latencies.push(performance.now() - due);
  });
  return latencies;
}

const figure: Figure = {
  name: 'recovery',
  description: `a recovery job over ${(MESSAGES * ENDPOINTS).toLocaleString('en-US')} failed deliveries (SQLite): publish p99 during it, peak memory`,
  async run(): Promise<Row[]> {
    const receivers = await startReceivers(Array.from({ length: ENDPOINTS }, () => ({ kind: 'fast' as const })));
    const db = await createDatabase('SQLite');
    const deployment = new Deployment(db.url);
    try {
      const body = seededJsonBody(seededRandom(SEED), 1024);
      await deployment.prepareBacklog(receivers.urls, body);
      seedBacklog(db.url.slice('sqlite:'.length), MESSAGES, 'failed');
      const child = await deployment.startApi('both');
      const pid = child.pid as number;
      const before = await publishLatencies(deployment, body, BASELINE_PUBLISHES);
      const idleRss = residentMiB(pid);

      const started = performance.now();
      const job = await deployment.call('POST', '/v1/apps/bench/recoveries', {});
      let finished = 0;
      let peak = 0;
      const watch = (async () => {
        while (finished === 0) {
          peak = Math.max(peak, residentMiB(pid));
          const now = (await (
            await fetch(`${deployment.api}/v1/apps/bench/recoveries/${job.id}`, {
              headers: { authorization: 'Bearer bench-admin-token-0123456789abcdefghi' },
            })
          ).json()) as { status: string; requeued: number };
          if (now.status !== 'running') finished = performance.now();
          else await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      // Publishes keep coming for as long as the job runs (in rounds of one second's worth).
      const during: number[] = [];
      while (finished === 0) during.push(...(await publishLatencies(deployment, body, RATE)));
      await watch;
      const jobSeconds = (finished - started) / 1000;
      const total = (job as { total?: number }).total;
      const p99 = (values: number[]) => percentile(values, 0.99);
      const rows: Row[] = [
        compared({
          figure: `publish p99 during a recovery of ${total?.toLocaleString('en-US')} failed deliveries, SQLite, ${RATE}/s`,
          value: p99(during),
          unit: 'ms',
          better: 'lower',
          baseline: { name: 'the same load before the job', value: p99(before) },
          // Within GOAL_P99_RATIO times the p99 without a job.
          goal: 1 / GOAL_P99_RATIO,
          details: { publishesDuring: during.length, publishesBefore: before.length, jobSeconds },
        }),
        bounded({
          figure: `peak resident memory during a recovery of ${total?.toLocaleString('en-US')} failed deliveries, SQLite`,
          value: peak,
          unit: 'MiB',
          better: 'lower',
          bound: GOAL_RSS_MIB,
          details: { beforeJobMiB: idleRss },
        }),
        bounded({
          figure: `time to re-queue ${total?.toLocaleString('en-US')} failed deliveries (500 per batch), SQLite`,
          value: jobSeconds,
          unit: 's',
          better: 'lower',
        }),
      ];
      return rows;
    } finally {
      await deployment.stop();
      await db.drop();
      await receivers.close();
    }
  },
};

export default figure;
