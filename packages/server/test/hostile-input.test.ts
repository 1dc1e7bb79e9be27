/**
 * Hostile input against the API and the ingest URLs: fast-check bodies (fixed seed, bounded runs) and malformed
 * HTTP on raw sockets (deep nesting, huge numbers, invalid UTF-8, oversized and 10,000 headers, slowloris).
 * Zero crashes, zero 5xx, every refusal with its documented code, and the limits on body, headers and time hold.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { RECEIVER_ERRORS, type ReceiverErrorCode } from '@hookd/sdk/receiver';
import fc from 'fast-check';
import pino from 'pino';
import { ERRORS, type ErrorCode } from '../src/api/errors.js';
import { type ApiAnswer, callApi, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { testDatabase } from './helpers/postgres.js';
import { signIn } from './helpers/ui.js';

const SEED = 20260110;
const TOKEN = 'test-admin-token-0123456789abcdefghij';

/** A 4xx answer in the documented shape with the documented status for its code; anything else fails. */
function assertRefusalOrSuccess(answer: ApiAnswer, what: string): void {
  const context = `${what}: ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`;
  assert.ok(answer.status < 500, context);
  if (answer.status >= 400) {
    const code = answer.body?.error?.code as ErrorCode;
    assert.ok(code in ERRORS, context);
    assert.equal(ERRORS[code][0], answer.status, context);
  }
}

/** Sends raw bytes; resolves to what came back (status 0 when nothing did) and when the server closed. */
function raw(base: string, bytes: Buffer | string, options: { holdOpen?: boolean } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; text: string; closedAfterMs: number }>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(text.split(' ')[1] ?? 0), text, closedAfterMs: Date.now() - started });
    });
    socket.setTimeout(20_000, () => reject(new Error('the server kept the socket open for 20 s')));
    if (options.holdOpen) socket.write(bytes);
    else socket.end(bytes);
  });
}

/** Logs captured, to find any error a request caused. */
function captureLogs(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

async function setup(t: import('node:test').TestContext, settings = {}): Promise<{ server: TestHookd; lines: string[] }> {
  const { logger, lines } = captureLogs();
  const server = await startTestHookd({ bodyLimit: 64 * 1024, ...settings }, { logger });
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  return { server, lines };
}

test('fast-check JSON bodies on every writing route: no 5xx, every refusal with its code', { timeout: 120_000 }, async (t) => {
  const { server, lines } = await setup(t);
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://127.0.0.1:9/hook' });
  const routes: [string, string][] = [
    ['POST', '/v1/apps'],
    ['PATCH', '/v1/apps/acme'],
    ['POST', '/v1/apps/acme/endpoints'],
    ['PATCH', `/v1/apps/acme/endpoints/${ep.body.id}`],
    ['POST', `/v1/apps/acme/endpoints/${ep.body.id}/replay`],
    ['POST', '/v1/apps/acme/events'],
    ['POST', '/v1/event-types'],
    ['POST', '/v1/sources'],
    ['POST', '/v1/apps/acme/tokens'],
  ];
  // Objects shaped like the real bodies, with hostile values where the fields go.
  const hostileValue = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom(1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, '\u0000', '\ud800', 'http://[::1]/', 'whsec_'),
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }),
    fc.record(
      {
        name: hostileValue,
        uid: hostileValue,
        url: hostileValue,
        type: hostileValue,
        data: hostileValue,
        events: hostileValue,
        since: hostileValue,
        scheme: hostileValue,
        secrets: hostileValue,
        headers: hostileValue,
        destinations: hostileValue,
      },
      { requiredKeys: [] },
    ),
  );
  let calls = 0;
  for (const [method, path] of routes) {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        calls++;
        assertRefusalOrSuccess(await server.call(method, path, value), `${method} ${path}`);
      }),
      { seed: SEED, numRuns: 40 },
    );
  }
  // Raw bytes sent as JSON: invalid UTF-8, truncated documents, NULs.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
      calls++;
      const answer = await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', Buffer.from(bytes).toString('latin1'));
      assertRefusalOrSuccess(answer, 'raw bytes');
    }),
    { seed: SEED, numRuns: 60 },
  );
  // Query strings: limits, cursors and filters with hostile values.
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (limit, after) => {
      calls++;
      const query = `?limit=${encodeURIComponent(limit)}&after=${encodeURIComponent(after)}&status=${encodeURIComponent(after)}`;
      assertRefusalOrSuccess(await server.call('GET', `/v1/apps/acme/deliveries${query}`), 'query');
    }),
    { seed: SEED, numRuns: 40 },
  );
  t.diagnostic(`${calls} fuzzed requests, no 5xx`);
  assert.deepEqual(
    lines.filter((l) => l.includes('"level":50')),
    [],
    'no request logged an error',
  );
  assert.equal((await callApi(server.url, null, 'GET', '/healthz')).status, 200);
});

test('deep nesting, huge numbers and invalid UTF-8 are refused or kept, never a 5xx', async (t) => {
  const { server } = await setup(t);
  const deep = (n: number) => `{"type":"a.b","data":${'['.repeat(n)}${']'.repeat(n)}}`;
  assert.equal((await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', deep(60))).status, 202, 'nesting 60');
  for (const depth of [65, 1_000, 30_000]) {
    const answer = await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', deep(depth));
    assertRefusalOrSuccess(answer, `nesting ${depth}`);
    assert.equal(answer.body.error.code, 'validation_failed', `nesting ${depth}`);
  }
  // An ingest URL takes the provider's bytes as they are: deep JSON is kept and forwarded, never a crash.
  await server.call('POST', '/v1/sources', {
    name: 'open',
    scheme: 'none',
    schema: { type: 'object' },
    destinations: [{ url: 'http://127.0.0.1:9/hook' }],
  });
  const ingestDeep = await fetch(`${server.url}/in/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
  });
  assert.ok(ingestDeep.status < 500, `deep JSON at an ingest URL answered ${ingestDeep.status}`);
  for (const number of ['1e400', '-1e400', '123456789012345678901234567890', '0.' + '1'.repeat(5000)]) {
    const answer = await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', `{"type":"a.b","data":{"n":${number}}}`);
    assertRefusalOrSuccess(answer, `number ${number.slice(0, 20)}`);
  }
  assertRefusalOrSuccess(await server.call('GET', '/v1/apps?limit=1e400'), 'limit=1e400');
  assertRefusalOrSuccess(await server.call('GET', '/v1/apps?limit=99999999999999999999999'), 'huge limit');
  // Invalid UTF-8 in the body (kept as U+FFFD), in a JSON string escape, and in the path.
  const invalidBody = Buffer.concat([Buffer.from('{"type":"a.b","data":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
  const answer = await fetch(`${server.url}/v1/apps/acme/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: invalidBody,
  });
  assert.ok(answer.status < 500, `invalid UTF-8 body answered ${answer.status}`);
  assertRefusalOrSuccess(
    await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', '{"type":"a.b","data":"\\ud800"}'),
    'lone surrogate',
  );
  assertRefusalOrSuccess(await server.call('GET', '/v1/apps/%ff%fe'), 'invalid UTF-8 path');
  const rawPath = await raw(
    server.url,
    Buffer.concat([Buffer.from('GET /v1/apps/'), Buffer.from([0xff, 0xc0]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]),
  );
  assert.ok(rawPath.status >= 400 && rawPath.status < 500, `raw invalid UTF-8 path answered ${rawPath.status}`);
  assert.equal((await server.call('GET', '/v1/apps/acme')).status, 200, 'still serving');
});

test('oversized headers and 10,000 headers are 431; a body over the limit is 413; the server stays up', async (t) => {
  const { server } = await setup(t);
  const big = await raw(server.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
  assert.equal(big.status, 431);
  assert.match(big.text, /"code":"headers_too_large"/);
  const many = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const flood = await raw(server.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`);
  assert.equal(flood.status, 431);
  assert.match(flood.text, /"code":"headers_too_large"/);
  const body = JSON.stringify({ type: 'a.b', data: 'x'.repeat(100 * 1024) });
  const tooBig = await callApi(server.url, TOKEN, 'POST', '/v1/apps/acme/events', body);
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.error.code, 'body_too_large');
  // A body that lies about its length: announced 1 GiB, refused before a byte of it is read.
  const lying = await raw(
    server.url,
    `POST /v1/apps/acme/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{`,
  );
  assert.equal(lying.status, 413);
  assert.equal((await callApi(server.url, null, 'GET', '/healthz')).status, 200);
});

test('slowloris clients, trickling headers or a body, are cut off within HOOKD_REQUEST_TIMEOUT', {
  timeout: 30_000,
}, async (t) => {
  const { server } = await setup(t, { requestTimeout: '2s' });
  const { hostname, port } = new URL(server.url);
  /** Opens a socket, sends `head`, then one byte of `drip` every 200 ms; resolves when the server closes it. */
  const slow = (head: string, drip: string) =>
    new Promise<{ closedAfterMs: number; text: string }>((resolve) => {
      const socket: Socket = connect(Number(port), hostname);
      const started = Date.now();
      const chunks: Buffer[] = [];
      let i = 0;
      socket.on('error', () => {});
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.write(head);
      const timer = setInterval(() => {
        if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length] as string);
      }, 200);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ closedAfterMs: Date.now() - started, text: Buffer.concat(chunks).toString('utf8') });
      });
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
  const [headers, body] = await Promise.all([
    slow('GET /v1/apps HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'),
    slow(
      `POST /v1/apps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      ' ',
    ),
  ]);
  t.diagnostic(`slow headers cut after ${headers.closedAfterMs} ms, slow body after ${body.closedAfterMs} ms (timeout 2 s)`);
  for (const cut of [headers, body]) {
    assert.ok(cut.closedAfterMs < 4_500, `a slow client kept its connection for ${cut.closedAfterMs} ms`);
    assert.match(cut.text, /^HTTP\/1\.1 408 /, cut.text.slice(0, 200));
  }
  assert.equal((await callApi(server.url, null, 'GET', '/healthz')).status, 200);
});

test('fast-check on an ingest URL: forged signatures, hostile headers and bodies are refused with their codes', {
  timeout: 60_000,
}, async (t) => {
  const { server, lines } = await setup(t);
  const created = await server.call('POST', '/v1/sources', {
    name: 'gh',
    scheme: 'github',
    secrets: ['a-github-secret'],
    destinations: [{ url: 'http://127.0.0.1:9/hook' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const header = fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, ''));
  let calls = 0;
  const codes = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2048 }),
      fc.record(
        { 'x-hub-signature-256': header, 'x-github-event': header, 'x-github-delivery': header, 'content-type': header },
        { requiredKeys: [] },
      ),
      async (bytes, headers) => {
        calls++;
        const answer = await fetch(`${server.url}/in/gh`, { method: 'POST', headers, body: bytes });
        const text = await answer.text();
        assert.ok(answer.status >= 400 && answer.status < 500, `ingest answered ${answer.status} ${text.slice(0, 200)}`);
        // Ingest answers the receiver's codes; what HTTP itself refuses (a bad content type) is the API's.
        const code = JSON.parse(text).error.code as ReceiverErrorCode | ErrorCode;
        const status = code in RECEIVER_ERRORS ? RECEIVER_ERRORS[code as ReceiverErrorCode].status : ERRORS[code as ErrorCode][0];
        assert.equal(status, answer.status, code);
        codes.add(code);
      },
    ),
    { seed: SEED, numRuns: 150 },
  );
  t.diagnostic(`${calls} forged ingest requests, refused with ${[...codes].sort().join(', ')}`);
  assert.deepEqual(
    lines.filter((l) => l.includes('"level":50')),
    [],
  );
});

/** Every error-level log line hookd writes, so a test can say none was written. */
function errorLog(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'error' }, sink), lines };
}

const NUL_URLS = [
  ['POST', '/in/%00'],
  ['POST', '/in/gh%00x'],
  ['GET', '/v1/apps/%00'],
  ['GET', '/v1/apps/acme/endpoints/%00'],
  ['GET', '/v1/apps?after=%00'],
  ['GET', '/v1/apps/acme/events?after=a%00b'],
  ['GET', '/v1/event-types/%00'],
  ['GET', '/v1/sources/%00'],
  ['GET', '/ui/apps/%00'],
] as const;

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  test(`a NUL byte (%00) in a path or query value is a 400 bad_request on ${store}, never a 500 or an error log`, async (t) => {
    const db = store === 'PostgreSQL' ? await testDatabase(t) : null;
    if (store === 'PostgreSQL' && !db) return;
    const databaseUrl = await db?.freshSchema();
    const log = errorLog();
    const server = await startTestHookd(databaseUrl ? { databaseUrl } : {}, { logger: log.logger });
    t.after(async () => {
      await server.close();
      await db?.drop();
    });
    assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
    for (const [method, path] of NUL_URLS) {
      const answer = await callApi(server.url, TOKEN, method, path, method === 'POST' ? {} : undefined, {
        accept: 'application/json',
      });
      assert.equal(answer.status, 400, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'bad_request', `${method} ${path}`);
    }
    assert.deepEqual(log.lines, [], 'nothing was logged as an error');
  });
}

test('a dashboard POST with a text/plain or multipart body is 415 unsupported_media_type, never a 500', async (t) => {
  const log = errorLog();
  const server = await startTestHookd({}, { logger: log.logger });
  t.after(() => server.close());
  const { cookie, csrf } = await signIn(server.url, TOKEN);
  const multipart = new FormData();
  multipart.set('_csrf', csrf);
  multipart.set('name', 'Multipart');
  for (const [path, session] of [
    ['/ui/apps', cookie],
    ['/ui/sign-in', ''],
  ] as const) {
    for (const body of [`_csrf=${csrf}&name=Plain`, multipart]) {
      const type: Record<string, string> = typeof body === 'string' ? { 'content-type': 'text/plain' } : {};
      const answer = await fetch(server.url + path, {
        method: 'POST',
        headers: { cookie: session, accept: 'application/json', ...type },
        body,
        redirect: 'manual',
      });
      const what = `${path} ${typeof body === 'string' ? 'text/plain' : 'multipart'}`;
      assert.equal(answer.status, 415, what);
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'unsupported_media_type', what);
    }
  }
  assert.deepEqual(log.lines, [], 'nothing was logged as an error');
});
