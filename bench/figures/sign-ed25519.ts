/**
 * What Ed25519 (Standard Webhooks `v1a`) costs beside HMAC-SHA256 (`v1`): signs and verifications per CPU second of
 * @hookd/sdk on the same 1 KiB body, best round (see measure.ts). No goal: the figure tells a sender what choosing
 * ed25519 for an endpoint costs per delivery, and a receiver per request.
 */
import { generateSecret } from '@hookd/sdk';
import { generateKeyPair, signStandard, verifyStandard } from '@hookd/sdk/verify';
import { compared, type Figure, type Row } from '../figure.js';
import { measureThroughput } from '../measure.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0025;
const BODY_BYTES = 1024;

const figure: Figure = {
  name: 'sign-ed25519',
  description: 'Standard Webhooks signs and verifies per second, 1 KiB body: ed25519 (v1a) against HMAC-SHA256 (v1)',
  async run(): Promise<Row[]> {
    const body = seededJsonBody(seededRandom(SEED), BODY_BYTES);
    const now = Math.floor(Date.now() / 1000);
    const pair = generateKeyPair();
    const secret = generateSecret();
    const sign = (secrets: string) => () => signStandard({ id: 'msg_2a8Bf0cQ7dE1', timestamp: now, body, secrets });
    const signedV1a = sign(pair.secretKey)();
    const signedV1 = sign(secret)();
    const verifyWith = (headers: Record<string, string>, secrets: string) => () => verifyStandard({ body, headers, secrets });
    const contenders = [
      { name: 'ed25519 sign', op: sign(pair.secretKey) },
      { name: 'hmac sign', op: sign(secret) },
      { name: 'ed25519 verify', op: verifyWith(signedV1a, pair.publicKey) },
      { name: 'hmac verify', op: verifyWith(signedV1, secret) },
    ];
    // Each must succeed before it is timed, or the figure would time a failure path.
    for (const { op } of contenders) op();
    const [edSign, hmacSign, edVerify, hmacVerify] = measureThroughput(contenders, { rounds: 9, sliceMs: 60, warmupMs: 200 });
    if (!edSign || !hmacSign || !edVerify || !hmacVerify) throw new Error('a contender was not measured');
    const row = (what: string, ours: typeof edSign, baseline: typeof edSign) =>
      compared({
        figure: `standard ${what}, 1 KiB: ed25519 vs HMAC-SHA256`,
        value: Math.round(ours.best),
        unit: 'ops/s',
        better: 'higher',
        baseline: { name: 'HMAC-SHA256 (v1)', value: Math.round(baseline.best) },
        details: { measure: 'operations per CPU second, best of the rounds (see bench/measure.ts)', seed: SEED },
      });
    return [row('sign', edSign, hmacSign), row('verify', edVerify, hmacVerify)];
  },
};

export default figure;
