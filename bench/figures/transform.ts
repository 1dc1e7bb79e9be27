/**
 * The cost of a transformation on delivery: a drain on SQLite (one `hookd serve` process) to one endpoint whose
 * transformation is trivial (it adds a header, so the body is parsed and serialized again in the sandbox), against
 * the same drain to an endpoint with none, just before in the same run. Goal: 70% of the rate without one.
 */

import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment } from '../hookd.js';
import { arrivalRate, startReceivers, waitFor } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0016;
const DELIVERIES = 3_000;
const GOAL_RATIO = 0.7;
const TRIVIAL = "function handler(webhook) { webhook.headers['x-transformed'] = 'yes'; return webhook; }";

/** Deliveries per second draining `bodies` to one endpoint, with `transformation` or none. */
async function drainRate(bodies: readonly string[], transformation: string | null): Promise<number> {
  const receivers = await startReceivers([{ kind: 'fast' as const }]);
  const db = await createDatabase('SQLite');
  const deployment = new Deployment(db.url);
  try {
    await deployment.startApi('api');
    await deployment.call('POST', '/v1/apps', { uid: 'bench', name: 'Bench' });
    await deployment.call('POST', '/v1/apps/bench/endpoints', { url: receivers.urls[0], transformation });
    const ids = await deployment.publishAll(bodies);
    receivers.clear();
    // One process does everything on SQLite: the API process gives way to a `both` one, which drains the backlog.
    await deployment.stop();
    await deployment.startApi('both');
    const arrivals = receivers.arrivals[0] as Map<string, number>;
    await waitFor(() => arrivals.size >= ids.length, 180_000, 'the backlog to drain');
    return arrivalRate(receivers);
  } finally {
    await deployment.stop();
    await receivers.close();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'transform',
  description: `deliveries/s to one endpoint with a trivial transformation against none, SQLite (${DELIVERIES} deliveries each)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: DELIVERIES }, () => seededJsonBody(random, 1024));
    const without = await drainRate(bodies, null);
    const withOne = await drainRate(bodies, TRIVIAL);
    return [
      compared({
        figure: 'deliveries/s, SQLite, 1 endpoint, trivial transformation',
        value: withOne,
        unit: 'deliveries/s',
        better: 'higher',
        baseline: { name: 'the same drain, no transformation', value: without },
        goal: GOAL_RATIO,
        details: { deliveries: DELIVERIES, bodyBytes: 1024, transformation: TRIVIAL },
      }),
    ];
  },
};

export default figure;
