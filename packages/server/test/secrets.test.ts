/**
 * Secrets stay secret: no token or signing secret appears in a log line or an error message through the flows
 * that handle them, and every comparison of a secret value in the source is a constant-time one.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { callApi, eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

const ADMIN = 'test-admin-token-0123456789abcdefghij';

test('no token or secret appears in the logs or in an error message', { timeout: 30_000 }, async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const receiver = await startReceiver((_r, n) => ({ status: n === 0 ? 500 : 200, body: 'receiver said no' }));
  const server = await startTestHookd({ logLevel: 'trace' }, { logger: pino({ level: 'trace' }, sink) });
  t.after(() => Promise.all([server.close(), receiver.close()]));
  const secrets: string[] = [ADMIN];
  const answers: string[] = [];
  const call = async (token: string | null, method: string, path: string, body?: unknown) => {
    const answer = await callApi(server.url, token, method, path, body);
    answers.push(JSON.stringify(answer.body));
    return answer;
  };

  await call(ADMIN, 'POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  // Wrong tokens, near misses of the real one included.
  for (const wrong of ['wrong', `${ADMIN}x`, ADMIN.slice(0, -1), 'hkd_app_forged-token-value-that-is-long-enough']) {
    secrets.push(wrong);
    assert.equal((await call(wrong, 'GET', '/v1/apps')).status, 401);
  }
  const ep = await call(ADMIN, 'POST', '/v1/apps/acme/endpoints', { url: receiver.url });
  secrets.push(ep.body.secret);
  const own = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  secrets.push(own);
  const rotated = await call(ADMIN, 'POST', `/v1/apps/acme/endpoints/${ep.body.id}/rotate-secret`, { secret: own });
  assert.equal(rotated.status, 200);
  // A delivery that fails, then succeeds, signed with both secrets during the overlap.
  await call(ADMIN, 'POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } });
  await receiver.waitFor(2, 5_000);

  const token = await call(ADMIN, 'POST', '/v1/apps/acme/tokens', { name: 'ci' });
  secrets.push(token.body.token);
  assert.equal((await call(token.body.token, 'GET', '/v1/apps/acme/endpoints')).status, 200);
  assert.equal((await call(token.body.token, 'GET', '/v1/apps')).status, 403);
  await call(ADMIN, 'DELETE', `/v1/apps/acme/tokens/${token.body.id}`);
  assert.equal((await call(token.body.token, 'GET', '/v1/apps/acme')).status, 401);

  const sourceSecret = 'gh-secret-that-must-not-leak';
  secrets.push(sourceSecret);
  await call(ADMIN, 'POST', '/v1/sources', {
    name: 'gh',
    scheme: 'github',
    secrets: [sourceSecret],
    destinations: [{ url: receiver.url }],
  });
  const payload = '{"action":"opened"}';
  const good = `sha256=${createHmac('sha256', sourceSecret).update(payload).digest('hex')}`;
  secrets.push(good.slice(7));
  for (const signature of [good, 'sha256=00', `sha256=${'a'.repeat(64)}`]) {
    const answer = await fetch(`${server.url}/in/gh`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-event': 'issues',
        'x-github-delivery': signature,
      },
      body: payload,
    });
    answers.push(await answer.text());
  }
  await eventually(() => (receiver.requests.length >= 3 ? true : undefined), 5_000, 'the ingested event forwarded');

  const logText = lines.join('');
  assert.ok(lines.length > 0, 'the logs were captured');
  for (const secret of secrets) {
    assert.equal(logText.includes(secret), false, `a log line holds ${secret.slice(0, 12)}…`);
    // Only the endpoint's own answers (create, rotate) and the token's creation may carry their secret.
    const leaking = answers.filter((a) => a.includes(secret) && !a.includes('"secret"') && !a.includes('"token"'));
    assert.deepEqual(leaking, [], `an answer holds ${secret.slice(0, 12)}…`);
  }
  t.diagnostic(`${lines.length} log lines at trace level and ${answers.length} answers checked for ${secrets.length} secrets`);
});

const SOURCE_DIRS = ['../src', '../../sdk/src'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('no secret, token, signature or digest is compared with === or !== anywhere in the source', () => {
  const secretName = /(secret|signature|token|digest|hmac|mac|hash)s?$/i;
  // Comparisons with a literal, a length, a type or an absent value say nothing about a secret's content.
  // A lease token is a worker's own claim marker, not a credential anyone presents.
  const harmless = /^(null|undefined|\d+|true|false|typeof)$|^['"`]|\.length$|\.kind$|\.code$|\.scheme$|lease_?token/i;
  const found: string[] = [];
  let files = 0;
  for (const file of SOURCE_DIRS.flatMap(sourceFiles)) {
    files++;
    for (const [n, line] of readFileSync(file, 'utf8').split('\n').entries()) {
      for (const match of line.matchAll(/([\w.$[\]'"]+)\s*[!=]==?\s*([\w.$[\]'"]+)/g)) {
        const [, left = '', right = ''] = match;
        const operands = [left, right];
        if (operands.some((o) => harmless.test(o))) continue;
        if (operands.some((o) => secretName.test(o.replace(/[^\w]+$/, '')))) found.push(`${file}:${n + 1}: ${line.trim()}`);
      }
    }
  }
  assert.ok(files > 100, `only ${files} source files were read`);
  assert.deepEqual(found, [], 'compare secrets with timingSafeEqual (or the SDK’s anyEqual / safeEqual)');
});
