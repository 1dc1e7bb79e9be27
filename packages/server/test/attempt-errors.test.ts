/**
 * Attempt errors: the README's table lists exactly the codes of src/domain/attempt-errors.ts, each timeout is named
 * by its phase against real loopback receivers (headers never sent, a body that stalls, a body trickled past the
 * whole-attempt bound), and undici's and Node's errors map onto the list. Loopback connections never time out, so
 * connect_timeout is checked on undici's own error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, errors as undiciErrors } from 'undici';
import { AddressRefusedError, attemptTimedOut, classifySendError } from '../src/delivery/index.js';
import { sendAttempt } from '../src/delivery/send.js';
import { ATTEMPT_ERRORS, type ClaimedDelivery, isAttemptErrorCode, parseNetworks, responseError } from '../src/domain/index.js';
import { anEndpoint } from './store/fixtures.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const TIMEOUTS = { timeoutMs: 300, connectTimeoutMs: 100 };

test('the README attempt error table lists exactly the codes of src/domain/attempt-errors.ts, with their meanings', () => {
  const section = readFileSync(README, 'utf8').split('\n## Attempt errors\n')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\S.*?)\s*\|\s*$/.exec(line.trim());
    if (!match) continue;
    const [, code, meaning] = match as unknown as [string, string, string];
    assert.ok(!rows.has(code), `the README lists ${code} twice`);
    rows.set(code, meaning);
  }
  assert.deepEqual(Object.fromEntries(rows), ATTEMPT_ERRORS);
});

/** A raw TCP receiver on 127.0.0.1 that does `behave` with each connection once the request has arrived. */
async function receiver(behave: (socket: Socket) => void): Promise<{ url: string; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => behave(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, server };
}

async function attemptAt(url: string) {
  const endpoint = anEndpoint('app_1', { url });
  const claimed = {
    delivery: { id: 'dlv_1', attemptCount: 0 },
    leaseToken: 'lease',
    message: { id: 'msg_1', type: 'a.b', payload: '{}', headers: null },
    endpoint: { ...endpoint, previousSecret: null, limited: false },
    appCap: 10,
  } as unknown as ClaimedDelivery;
  const dispatcher = new Agent({
    connect: { timeout: TIMEOUTS.connectTimeoutMs },
    headersTimeout: TIMEOUTS.timeoutMs,
    bodyTimeout: TIMEOUTS.timeoutMs,
  });
  try {
    const started = Date.now();
    const report = await sendAttempt(claimed, 1, started, {
      ...TIMEOUTS,
      dispatcher,
      allowedNetworks: parseNetworks('127.0.0.0/8'),
      transform: () => assert.fail('these endpoints have no transformation'),
    });
    return { report, tookMs: Date.now() - started };
  } finally {
    await dispatcher.destroy();
  }
}

test('a receiver that accepts and never answers: headers_timeout', async () => {
  const { url } = await receiver(() => {});
  const { report, tookMs } = await attemptAt(url);
  assert.equal(report.error?.code, 'headers_timeout', JSON.stringify(report.error));
  assert.deepEqual(report.result, { kind: 'error', code: 'headers_timeout' });
  assert.ok(tookMs >= 250 && tookMs < 2000, `${tookMs} ms`);
});

test('a receiver that sends its headers, then stalls the body: body_timeout', async () => {
  const { url } = await receiver((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc'));
  const { report } = await attemptAt(url);
  assert.equal(report.error?.code, 'body_timeout', JSON.stringify(report.error));
});

test('a body trickled a byte at a time, never idle long enough for undici: the whole-attempt bound, body_timeout', async () => {
  const { url } = await receiver((socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
    const timer = setInterval(() => socket.write('x'), 50);
    socket.on('close', () => clearInterval(timer));
  });
  const { report, tookMs } = await attemptAt(url);
  assert.equal(report.error?.code, 'body_timeout', JSON.stringify(report.error));
  assert.ok(tookMs >= 250 && tookMs < 2000, `${tookMs} ms`);
});

test('a port nothing listens on: connection_refused; a 2xx: no error; other answers: their own codes', async () => {
  const { url, server } = await receiver(() => {});
  await new Promise((resolve) => server.close(resolve));
  assert.equal((await attemptAt(url)).report.error?.code, 'connection_refused');
  const ok = await receiver((socket) => socket.end('HTTP/1.1 204 No Content\r\n\r\n'));
  assert.equal((await attemptAt(ok.url)).report.error, null);
  assert.equal(responseError(200), null);
  assert.equal(responseError(500)?.code, 'http_status');
  assert.equal(responseError(429)?.code, 'http_status');
  assert.equal(responseError(301)?.code, 'redirect_not_followed');
  assert.equal(responseError(410)?.code, 'endpoint_gone');
});

test('undici and Node errors map onto the list, each timeout by its phase', () => {
  const cases: [unknown, string][] = [
    [new undiciErrors.ConnectTimeoutError(), 'connect_timeout'],
    [new undiciErrors.HeadersTimeoutError(), 'headers_timeout'],
    [new undiciErrors.BodyTimeoutError(), 'body_timeout'],
    [new undiciErrors.SocketError('other side closed'), 'connection_closed'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'connection_refused'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection_reset'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }), 'dns_failed'],
    [Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), 'host_unreachable'],
    [Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'tls_failed'],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'tls_failed'],
    [
      Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      'tls_failed',
    ],
    [Object.assign(new Error('Invalid URL'), { code: 'ERR_INVALID_URL' }), 'invalid_url'],
    [Object.assign(new Error('Expected HTTP/'), { code: 'HPE_INVALID_CONSTANT' }), 'invalid_response'],
    [new AddressRefusedError('rebind.test', 'resolves to a loopback address'), 'address_not_allowed'],
    [new TypeError('fetch failed', { cause: new AddressRefusedError('h.test', 'is private') }), 'address_not_allowed'],
    [new Error('something nobody expected'), 'network_error'],
  ];
  for (const [error, code] of cases) {
    const classified = classifySendError(error, TIMEOUTS);
    assert.equal(classified.code, code, `${(error as Error).name}: ${(error as Error).message}`);
    assert.ok(isAttemptErrorCode(classified.code));
    assert.ok(classified.message.length > 0);
  }
  assert.equal(attemptTimedOut('headers', TIMEOUTS).code, 'headers_timeout');
  assert.equal(attemptTimedOut('body', TIMEOUTS).code, 'body_timeout');
});
