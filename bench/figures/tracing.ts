/**
 * What traces cost the delivery path: the SQLite drain of the delivery figure (one `hookd serve` process, one
 * endpoint) with tracing off (no OTEL_* variable: no SDK loaded) and on, exporting every span to an OTLP/HTTP
 * collector on loopback that decodes and counts them. Rounds alternate off and on, each on a fresh database; the
 * figure is the median of each. The export uses OTLP/JSON, the heavier of the two HTTP encodings, so the cost of the
 * default (protobuf) is at most this.
 */

import { type Collector, startCollector } from '../../packages/server/test/helpers/otlp.js';
import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, drain } from '../hookd.js';
import { arrivalRate, startReceivers, waitFor } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0007;
const DELIVERIES = 4_000;
const ROUNDS = 3;

const traced = (collector: Collector): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  // Batches as large as the SDK's queue lets them be sent often, so none is dropped at thousands of spans a second.
  OTEL_BSP_SCHEDULE_DELAY: '200',
});

/** One drain; its deliveries per second, and with a collector, the attempt spans it received for them. */
async function drainOnce(bodies: readonly string[], collector: Collector | null): Promise<{ rate: number; spans: number }> {
  const receivers = await startReceivers([{ kind: 'fast' }]);
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url, collector ? traced(collector) : {});
  try {
    await drain(deployment, { backend: 'SQLite' }, receivers, bodies);
    const rate = arrivalRate(receivers);
    if (!collector) return { rate, spans: 0 };
    const attempts = () => collector.spans().filter((s) => s.name === 'hookd.attempt').length;
    // Every span is counted before the process is stopped (SIGKILL would drop the last batch).
    await waitFor(() => attempts() >= bodies.length, 30_000, 'every attempt span to be exported').catch(() => {});
    return { rate, spans: attempts() };
  } finally {
    await deployment.stop();
    await receivers.close();
    await db.drop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const figure: Figure = {
  name: 'tracing',
  description: `delivery throughput (SQLite, 1 endpoint, ${DELIVERIES} deliveries) with traces off vs exported to a loopback OTLP collector`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DELIVERIES }, () => seededJsonBody(random, 1024));
    const off: number[] = [];
    const on: number[] = [];
    const spans: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      off.push((await drainOnce(bodies, null)).rate);
      const collector = await startCollector();
      try {
        const result = await drainOnce(bodies, collector);
        on.push(result.rate);
        spans.push(result.spans);
      } finally {
        await collector.close();
      }
    }
    return [
      compared({
        figure: `deliveries/s, SQLite, 1 endpoint, traces exported (OTLP/HTTP JSON, loopback collector)`,
        value: median(on),
        unit: 'deliveries/s',
        better: 'higher',
        baseline: { name: 'traces off (no OTEL_* variable, no SDK loaded)', value: median(off) },
        details: { rounds: ROUNDS, off, on, attemptSpansReceived: spans, deliveries: DELIVERIES, bodyBytes: 1024 },
      }),
    ];
  },
};

export default figure;
