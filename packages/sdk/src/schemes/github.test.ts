import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { githubScheme, signGitHub, verifyGitHub } from './github.js';

// The test values GitHub's "Validating webhook deliveries" page gives for checking an implementation.
const docsSecret = "It's a Secret to Everybody";
const docsPayload = 'Hello, World!';
const docsSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

test("GitHub's documented test values: the same signature, and it verifies", () => {
  assert.equal(signGitHub(docsPayload, docsSecret)['x-hub-signature-256'], docsSignature);
  assert.equal(
    codeOf(() => verifyGitHub({ body: docsPayload, headers: { 'X-Hub-Signature-256': docsSignature }, secrets: docsSecret })),
    undefined,
  );
});

test('the legacy X-Hub-Signature (sha1) is sent, but never enough on its own', () => {
  const headers = signGitHub(docsPayload, docsSecret);
  assert.equal(headers['x-hub-signature'], `sha1=${createHmac('sha1', docsSecret).update(docsPayload).digest('hex')}`);
  const legacyOnly = { 'x-hub-signature': headers['x-hub-signature'] as string };
  assert.equal(
    codeOf(() => verifyGitHub({ body: docsPayload, headers: legacyOnly, secrets: docsSecret })),
    'header_missing',
  );
  const sha1InSha256 = { 'x-hub-signature-256': headers['x-hub-signature'] as string };
  assert.equal(
    codeOf(() => verifyGitHub({ body: docsPayload, headers: sha1InSha256, secrets: docsSecret })),
    'header_invalid',
  );
});

test('the delivery id is X-GitHub-Delivery and the type X-GitHub-Event', () => {
  const headers = { 'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'X-GitHub-Event': 'push' };
  assert.equal(githubScheme.deliveryId(headers, {}), '72d3162e-cc78-11e3-81ab-4c9367dc0958');
  assert.equal(githubScheme.eventType(headers, { type: 'ignored' }), 'push');
  assert.equal(githubScheme.eventType({}, {}), null);
});
