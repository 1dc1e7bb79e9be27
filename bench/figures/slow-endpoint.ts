/**
 * Isolation: one endpoint that answers after 5 s beside nine that answer at once. Messages fan out to all ten, drained
 * by one `hookd serve` process on SQLite (as in `delivery`); the figure is the fast endpoints' deliveries per second.
 * Baseline, in the same run: the same drain to ten fast endpoints. The slow one can hold only its own 32 slots (the
 * per-endpoint cap) of the worker's 256. Goal: the fast ones keep at least 90% of their throughput.
 * Second row: the same with all ten on one origin (one port, a path each), as one SaaS receiver serving many tenants:
 * the slow one must not take the connections the others need (hookd keeps a client per endpoint, not per origin).
 */

import { compared, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, drain } from '../hookd.js';
import { arrivalRate, type Behaviour, startReceivers } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0007;
const ENDPOINTS = 10;
const MESSAGES = 400;
const SLOW_MS = 5_000;
const GOAL = 0.9;
const FAST = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The fast receivers' deliveries per second, with receiver 0 answering as `first` says. */
async function fastRate(first: Behaviour, bodies: readonly string[], sameOrigin = false): Promise<number> {
  const receivers = await startReceivers([first, ...FAST.map(() => ({ kind: 'fast' as const }))], sameOrigin);
  const db = await createDatabase('SQLite');
  // The slow answers must not time out: the attempt timeout is well above 5 s.
  const deployment = new Deployment(db.url, { HOOKD_TIMEOUT: '15s', HOOKD_LEASE: '45s' });
  try {
    await drain(deployment, { backend: 'SQLite' }, receivers, bodies, FAST);
    return arrivalRate(receivers, FAST);
  } finally {
    await deployment.stop();
    await receivers.close();
    await db.drop();
  }
}

const figure: Figure = {
  name: 'slow-endpoint',
  description: `one endpoint answering after ${SLOW_MS / 1000} s beside nine fast ones vs ten fast (${MESSAGES} messages to each, SQLite)`,
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const bodies = Array.from({ length: MESSAGES }, () => seededJsonBody(random, 1024));
    const baseline = await fastRate({ kind: 'fast' }, bodies);
    const value = await fastRate({ kind: 'slow', delayMs: SLOW_MS }, bodies);
    const sameOriginBaseline = await fastRate({ kind: 'fast' }, bodies, true);
    const sameOrigin = await fastRate({ kind: 'slow', delayMs: SLOW_MS }, bodies, true);
    return [
      compared({
        figure: `fast endpoints' deliveries/s beside one answering after ${SLOW_MS / 1000} s, SQLite`,
        value,
        unit: 'deliveries/s',
        better: 'higher',
        baseline: { name: 'the same drain, all ten fast', value: baseline },
        goal: GOAL,
        details: { messages: MESSAGES, endpoints: ENDPOINTS, measuredOn: 'the nine fast endpoints, in both runs' },
      }),
      compared({
        figure: `the same, all ten endpoints on one origin (a path each), SQLite`,
        value: sameOrigin,
        unit: 'deliveries/s',
        better: 'higher',
        baseline: { name: 'the same drain on one origin, all ten fast', value: sameOriginBaseline },
        goal: GOAL,
        details: { messages: MESSAGES, endpoints: ENDPOINTS, measuredOn: 'the nine fast endpoints, in both runs' },
      }),
    ];
  },
};

export default figure;
