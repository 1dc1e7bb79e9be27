/**
 * The receiver core fuzzed with fast-check (fixed seed, bounded runs): forged and malformed signatures, hostile
 * headers and arbitrary bytes never throw and never answer 5xx; every refusal carries its code. Signed requests
 * with any JSON payload are accepted, byte for byte.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createReceiver, RECEIVER_ERRORS, toFetchHandler } from '../../src/receiver/index.js';
import type { SchemeName } from '../../src/schemes/types.js';
import { SECRET, signed } from './helpers.js';

const SEED = 20260110;
const SCHEMES: SchemeName[] = ['standard', 'stripe', 'github', 'shopify', 'slack', 'hmac-sha256-hex'];

const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.constantFrom('v1,', 'v1,' + 'A'.repeat(44), 't=1,v1=00', 'sha256=', 'sha256=zz', '', ' ', '9'.repeat(30), '-1'),
);

test('forged, malformed and hostile requests are refused with a code, never a throw or a 5xx, for every scheme', async (t) => {
  const codes = new Set<string>();
  let calls = 0;
  for (const scheme of SCHEMES) {
    const secret = scheme === 'standard' ? SECRET : 'a-plain-secret-for-this-scheme';
    const handle = toFetchHandler(createReceiver({ verify: { scheme, secrets: secret }, maxBodyBytes: 4096 }));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 6000 }),
        fc.dictionary(
          fc.constantFrom(
            'webhook-id',
            'webhook-timestamp',
            'webhook-signature',
            'stripe-signature',
            'x-hub-signature-256',
            'x-shopify-hmac-sha256',
            'x-slack-signature',
            'x-slack-request-timestamp',
            'x-signature',
            'content-type',
          ),
          headerValue,
        ),
        async (body, headers) => {
          calls++;
          const response = await handle(new Request('http://receiver.test/hook', { method: 'POST', headers, body }));
          const answer = (await response.json()) as { error?: { code: keyof typeof RECEIVER_ERRORS } };
          assert.ok(response.status >= 400 && response.status < 500, `${scheme}: ${response.status} ${JSON.stringify(answer)}`);
          const code = answer.error?.code;
          assert.ok(code !== undefined && code in RECEIVER_ERRORS, `${scheme}: ${JSON.stringify(answer)}`);
          assert.equal(RECEIVER_ERRORS[code].status, response.status);
          codes.add(code);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  }
  t.diagnostic(`${calls} hostile requests over ${SCHEMES.length} schemes, refused with ${[...codes].sort().join(', ')}`);
});

test('any JSON payload, properly signed, is accepted and handed over as sent', async () => {
  const receiver = createReceiver({ verify: { scheme: 'standard', secrets: SECRET } });
  const seen: unknown[] = [];
  receiver.on('*', (event) => {
    seen.push(event.body);
  });
  const handle = toFetchHandler(receiver);
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), fc.uuid(), async (data, id) => {
      const request = signed({ type: 'fuzz.event', data }, { id: `msg_${id}` });
      const response = await handle(
        new Request('http://receiver.test/hook', { method: 'POST', headers: request.headers, body: request.body }),
      );
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal(seen.at(-1), request.body, 'the bytes as sent');
    }),
    { seed: SEED, numRuns: 150 },
  );
});
