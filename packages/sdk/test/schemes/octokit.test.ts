/** Interop with @octokit/webhooks-methods, the GitHub webhook signing used by Octokit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sign, verify } from '@octokit/webhooks-methods';
import { signGitHub, verifyGitHub } from '../../src/schemes/github.js';
import { codeOf } from './code-of.js';

const secret = 'mysecret-for-github-hooks';
const payload = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, repository: { full_name: 'o/r' } });

test("octokit's signature verifies with hookd", async () => {
  const signature = await sign(secret, payload);
  assert.equal(
    codeOf(() => verifyGitHub({ body: payload, headers: { 'x-hub-signature-256': signature }, secrets: secret })),
    undefined,
  );
  assert.equal(
    codeOf(() => verifyGitHub({ body: payload, headers: { 'x-hub-signature-256': signature }, secrets: 'another' })),
    'signature_invalid',
  );
});

test("hookd's X-Hub-Signature-256 passes octokit's verify, and a tampered body does not", async () => {
  const signature = signGitHub(payload, secret)['x-hub-signature-256'] as string;
  assert.equal(await verify(secret, payload, signature), true);
  assert.equal(await verify(secret, `${payload} `, signature), false);
  assert.equal(await verify('another', payload, signature), false);
});

test('rotation: hookd holding the old and the new secret verifies what octokit signed with either', async () => {
  for (const held of ['old-secret', 'new-secret']) {
    const signature = await sign(held, payload);
    assert.equal(
      codeOf(() =>
        verifyGitHub({ body: payload, headers: { 'x-hub-signature-256': signature }, secrets: ['old-secret', 'new-secret'] }),
      ),
      undefined,
    );
  }
});
