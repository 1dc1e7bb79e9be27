/**
 * Standard Webhooks verification throughput: @hookd/sdk against the standardwebhooks and svix packages,
 * on the same 1 KiB body, secret and headers, counted per CPU second, best round (see measure.ts). Both libraries return the parsed payload from verify, so
 * hookd's operation is verify plus JSON.parse: the same work a receiver gets from each call.
 */
import { verifyStandard } from '@hookd/sdk/verify';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { compared, type Figure, type Row } from '../figure.js';
import { measureThroughput } from '../measure.js';
import { seededBytes, seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0001;
const BODY_BYTES = 1024;
const GOAL = 3;

const figure: Figure = {
  name: 'verify-standard',
  description: 'Standard Webhooks verifications per second, 1 KiB body: @hookd/sdk vs standardwebhooks and vs svix',
  async run(): Promise<Row[]> {
    const random = seededRandom(SEED);
    const secret = `whsec_${seededBytes(random, 32).toString('base64')}`;
    const body = seededJsonBody(random, BODY_BYTES);
    const now = Math.floor(Date.now() / 1000);
    // Signed by the reference library, so every contender checks a signature it did not make itself.
    const standard = new StandardWebhook(secret);
    const headers = {
      'webhook-id': 'msg_2a8Bf0cQ7dE1',
      'webhook-timestamp': String(now),
      'webhook-signature': standard.sign('msg_2a8Bf0cQ7dE1', new Date(now * 1000), body),
    };
    const svix = new SvixWebhook(secret);
    const hookd = () => {
      verifyStandard({ body, headers, secrets: secret });
      return JSON.parse(body);
    };
    // Each must accept the request before it is timed, or the figure would time a failure path.
    for (const check of [hookd, () => standard.verify(body, headers), () => svix.verify(body, headers)]) check();

    const results = measureThroughput(
      [
        { name: '@hookd/sdk', op: hookd },
        { name: 'standardwebhooks', op: () => standard.verify(body, headers) },
        { name: 'svix', op: () => svix.verify(body, headers) },
      ],
      { rounds: 15, sliceMs: 60, warmupMs: 200 },
    );
    const [ours, ...baselines] = results;
    if (!ours) throw new Error('no measurement for @hookd/sdk');
    return baselines.map((baseline) =>
      compared({
        figure: `standard verify, 1 KiB: @hookd/sdk vs ${baseline.name}`,
        value: Math.round(ours.best),
        unit: 'ops/s',
        better: 'higher',
        baseline: { name: baseline.name, value: Math.round(baseline.best) },
        goal: GOAL,
        details: {
          measure: 'operations per CPU second, best of the rounds (see bench/measure.ts)',
          seed: SEED,
          bodyBytes: Buffer.byteLength(body),
          medianRatio: Number((ours.median / baseline.median).toFixed(2)),
          median: { '@hookd/sdk': Math.round(ours.median), [baseline.name]: Math.round(baseline.median) },
          medianPerWallSecond: {
            '@hookd/sdk': Math.round(ours.medianPerWallSecond),
            [baseline.name]: Math.round(baseline.medianPerWallSecond),
          },
          perRound: { '@hookd/sdk': ours.perRound.map(Math.round), [baseline.name]: baseline.perRound.map(Math.round) },
        },
      }),
    );
  },
};

export default figure;
