/** The same contract for every scheme in SCHEMES: what passes, what fails and with which code, and rotation. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { codeOf } from '../../test/schemes/code-of.js';
import { SCHEMES, type SchemeName, verify } from './index.js';

type Headers = Record<string, string>;

/** What the test knows of each scheme's wire format, written from the providers' docs, not read from the code. */
interface Case {
  name: SchemeName;
  newSecret(): string;
  secrets: fc.Arbitrary<string>;
  signatureHeader: string;
  /** Headers a request cannot be verified without. */
  required: string[];
  /** The signed timestamp, where the scheme signs one. */
  timestamp?: { read(headers: Headers): string; write(headers: Headers, text: string): Headers };
  /** The header holding a signed id, where the scheme signs one. */
  signedIdHeader?: string;
}

const inHeader = (name: string) => ({
  read: (headers: Headers) => headers[name] as string,
  write: (headers: Headers, text: string) => ({ ...headers, [name]: text }),
});

const stripeTimestamp = {
  read: (headers: Headers) => (headers['stripe-signature'] as string).split(',')[0]?.slice(2) as string,
  write: (headers: Headers, text: string) => ({
    ...headers,
    'stripe-signature': (headers['stripe-signature'] as string).replace(/^t=\d+/, `t=${text}`),
  }),
};

const whsec = (bytes: Uint8Array) => `whsec_${Buffer.from(bytes).toString('base64')}`;
const anyText = fc.string({ minLength: 1, maxLength: 64, unit: 'binary' });

const CASES: Case[] = [
  {
    name: 'standard',
    newSecret: () => whsec(randomBytes(32)),
    secrets: fc.uint8Array({ minLength: 1, maxLength: 64 }).map(whsec),
    signatureHeader: 'webhook-signature',
    required: ['webhook-signature', 'webhook-id', 'webhook-timestamp'],
    timestamp: inHeader('webhook-timestamp'),
    signedIdHeader: 'webhook-id',
  },
  {
    name: 'hmac-sha256-hex',
    newSecret: () => whsec(randomBytes(32)),
    secrets: anyText,
    signatureHeader: 'x-webhook-signature',
    required: ['x-webhook-signature'],
  },
  {
    name: 'stripe',
    newSecret: () => `whsec_${randomBytes(16).toString('hex')}`,
    secrets: anyText,
    signatureHeader: 'stripe-signature',
    required: ['stripe-signature'],
    timestamp: stripeTimestamp,
  },
  {
    name: 'github',
    newSecret: () => randomBytes(20).toString('hex'),
    secrets: anyText,
    signatureHeader: 'x-hub-signature-256',
    required: ['x-hub-signature-256'],
  },
  {
    name: 'shopify',
    newSecret: () => `shpss_${randomBytes(16).toString('hex')}`,
    secrets: anyText,
    signatureHeader: 'x-shopify-hmac-sha256',
    required: ['x-shopify-hmac-sha256'],
  },
  {
    name: 'slack',
    newSecret: () => randomBytes(16).toString('hex'),
    secrets: anyText,
    signatureHeader: 'x-slack-signature',
    required: ['x-slack-signature', 'x-slack-request-timestamp'],
    timestamp: inHeader('x-slack-request-timestamp'),
  },
];

const now = 1_767_225_600; // 2026-01-01T00:00:00Z; every check gets `now`, so no test depends on the clock.
const body = '{"id":"evt_1","type":"invoice.paid","data":{"amount":4200,"currency":"eur"}}';

test('SCHEMES holds every scheme under its own name', () => {
  assert.deepEqual(Object.keys(SCHEMES).sort(), CASES.map((c) => c.name).sort());
  for (const [name, scheme] of Object.entries(SCHEMES)) assert.equal(scheme.name, name);
});

for (const c of CASES) {
  describe(`scheme ${c.name}`, () => {
    const scheme = SCHEMES[c.name];
    const secret = c.newSecret();
    const sign = (secrets: string | string[], options: { body?: string | Uint8Array; timestamp?: number; id?: string } = {}) =>
      scheme.sign({ body: options.body ?? body, secrets, timestamp: options.timestamp ?? now, id: options.id ?? 'msg_1' });
    const check = (headers: Headers, secrets: string | readonly string[] = secret, b: string | Uint8Array = body) =>
      codeOf(() => verify(c.name, { body: b, headers, secrets, now }));

    test('a signed request verifies, from a string or from its bytes', () => {
      const headers = sign(secret);
      assert.equal(check(headers), undefined);
      assert.equal(check(headers, secret, new TextEncoder().encode(body)), undefined);
      const verified = verify(c.name, { body, headers, secrets: secret, now });
      assert.equal(verified.scheme, c.name);
      assert.equal(verified.timestamp, c.timestamp ? now : undefined);
    });

    test('header names are matched whatever their case, and a Headers instance works', () => {
      const headers = sign(secret);
      const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
      assert.equal(check(shouting), undefined);
      assert.equal(
        codeOf(() => verify(c.name, { body, headers: new Headers(headers), secrets: secret, now })),
        undefined,
      );
    });

    test('a tampered body fails with signature_invalid', () => {
      assert.equal(check(sign(secret), secret, `${body} `), 'signature_invalid');
      assert.equal(check(sign(secret), secret, body.replace('4200', '4201')), 'signature_invalid');
    });

    test('another secret fails with signature_invalid', () => {
      assert.equal(check(sign(secret), c.newSecret()), 'signature_invalid');
    });

    test('a missing header fails with header_missing', () => {
      const headers = sign(secret);
      for (const name of c.required) {
        const { [name]: _, ...without } = headers;
        assert.equal(check(without), 'header_missing', name);
        assert.equal(check({ ...without, [name]: '' }), 'header_missing', `${name} empty`);
      }
    });

    test('a signature header in no form the scheme knows fails with header_invalid', () => {
      assert.equal(check({ ...sign(secret), [c.signatureHeader]: ' , ' }), 'header_invalid');
    });

    test('no secret, or an empty one, fails with secret_invalid', () => {
      assert.equal(check(sign(secret), []), 'secret_invalid');
      assert.equal(check(sign(secret), ''), 'secret_invalid');
    });

    test('rotation: two secrets sign one header, and a receiver holding either, or both, verifies', () => {
      const next = c.newSecret();
      const headers = sign([secret, next]);
      assert.equal(check(headers, secret), undefined);
      assert.equal(check(headers, next), undefined);
      assert.equal(check(headers, [c.newSecret(), next]), undefined);
      assert.equal(check(sign(secret), [next, secret]), undefined, 'the old signature, receiver already holds both');
      assert.equal(check(headers, [c.newSecret(), c.newSecret()]), 'signature_invalid');
    });

    if (c.timestamp) {
      const stamp = c.timestamp;
      test('a timestamp past the tolerance fails with timestamp_too_old, ahead of it with timestamp_in_future', () => {
        assert.equal(check(sign(secret, { timestamp: now - 300 })), undefined);
        assert.equal(check(sign(secret, { timestamp: now + 300 })), undefined);
        assert.equal(check(sign(secret, { timestamp: now - 301 })), 'timestamp_too_old');
        assert.equal(check(sign(secret, { timestamp: now + 301 })), 'timestamp_in_future');
        const late = sign(secret, { timestamp: now - 3600 });
        assert.equal(
          codeOf(() => verify(c.name, { body, headers: late, secrets: secret, now, toleranceSeconds: 3601 })),
          undefined,
        );
      });

      test('a timestamp that is not whole seconds fails with header_invalid', () => {
        for (const text of ['soon', '-1', '1.5', `${now}0000000`]) {
          assert.equal(check(stamp.write(sign(secret), text)), 'header_invalid', text);
        }
      });
    } else {
      test('nothing time-bound is signed: an old request still verifies (receivers de-duplicate instead)', () => {
        assert.equal(check(sign(secret, { timestamp: now - 86_400 })), undefined);
      });
    }

    test('property: sign then verify passes; one changed byte of body, id or timestamp fails', () => {
      const ids = fc.string({
        minLength: 1,
        maxLength: 40,
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((n) => String.fromCharCode(n)),
      });
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 512 }),
          fc.array(c.secrets, { minLength: 1, maxLength: 2 }),
          ids,
          fc.integer({ min: 1, max: 4_000_000_000 }),
          fc.nat(),
          fc.nat(),
          (bytes, secrets, id, timestamp, where, delta) => {
            const headers = sign(secrets, { body: bytes, id, timestamp });
            const open = { now: timestamp, toleranceSeconds: Number.MAX_SAFE_INTEGER };
            const run = (b: Uint8Array, h: Headers) => codeOf(() => verify(c.name, { body: b, headers: h, secrets, ...open }));
            assert.equal(run(bytes, headers), undefined);
            for (const held of secrets)
              assert.equal(
                codeOf(() => verify(c.name, { body: bytes, headers, secrets: held, ...open })),
                undefined,
              );

            const tampered = Uint8Array.from(bytes);
            const i = where % tampered.length;
            tampered[i] = ((tampered[i] as number) + 1 + (delta % 255)) % 256;
            assert.equal(run(tampered, headers), 'signature_invalid');

            if (c.signedIdHeader) {
              const name = c.signedIdHeader;
              assert.equal(
                run(bytes, { ...headers, [name]: changeOneChar(headers[name] as string, where, delta) }),
                'signature_invalid',
              );
            }
            if (c.timestamp) {
              const replacement = '0123456789x '[delta % 12] as string;
              const text = c.timestamp.read(headers);
              const at = where % text.length;
              if (text[at] !== replacement) {
                const changed = c.timestamp.write(headers, text.slice(0, at) + replacement + text.slice(at + 1));
                const code = run(bytes, changed);
                if (replacement >= '0' && replacement <= '9') assert.equal(code, 'signature_invalid');
                else assert.ok(code === 'signature_invalid' || code === 'header_invalid', String(code));
              }
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
}

/** The same text with the character at `where` replaced by another visible ASCII one. */
function changeOneChar(text: string, where: number, delta: number): string {
  const at = where % text.length;
  const code = 0x21 + ((text.charCodeAt(at) - 0x21 + 1 + (delta % 93)) % 94);
  return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
}
