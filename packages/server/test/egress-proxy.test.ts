/**
 * Deliveries through an egress proxy (HOOKD_EGRESS_PROXY): a real HTTP CONNECT proxy on loopback, written here as
 * such proxies work (CONNECT host:port, 200, then bytes both ways; Proxy-Authorization checked). hookd asks it
 * only for checked IP addresses; an address the SSRF rules refuse never reaches it; a proxy that is down or refuses
 * is `proxy_failed`, retried like any failure.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import { createSecureContext } from 'node:tls';
import type { Resolver } from '../src/delivery/index.js';
import { selfSigned } from './helpers/certificates.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

interface Proxy {
  url: string;
  /** Every CONNECT target asked for, in order. */
  targets: string[];
  /** Every Proxy-Authorization header seen. */
  credentials: (string | undefined)[];
  close(): Promise<void>;
}

/** A CONNECT proxy: answers `status` (200 opens the tunnel), or 407 without the expected credentials. */
async function startProxy(options: { status?: number; credentials?: string } = {}): Promise<Proxy> {
  const targets: string[] = [];
  const credentials: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const [requestLine = '', ...lines] = head.slice(0, end).split('\r\n');
      const [method, target = ''] = requestLine.split(' ');
      const auth = lines
        .find((line) => line.toLowerCase().startsWith('proxy-authorization:'))
        ?.slice(21)
        .trim();
      targets.push(target);
      credentials.push(auth);
      if (method !== 'CONNECT') return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      if (options.credentials !== undefined && auth !== options.credentials) {
        return client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      }
      if (options.status !== undefined) return client.end(`HTTP/1.1 ${options.status} Refused\r\n\r\n`);
      const port = Number(target.slice(target.lastIndexOf(':') + 1));
      const host = target.slice(0, target.lastIndexOf(':')).replace(/^\[|\]$/g, '');
      const upstream = connect({ host, port }, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    credentials,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The app's one delivery, once it has an attempt. */
async function attempted(server: TestHookd) {
  return eventually(
    async () => {
      const { body } = await server.call('GET', '/v1/apps/acme/deliveries');
      const [delivery] = body.data;
      if (!delivery || delivery.attemptCount === 0) return undefined;
      return (await server.call('GET', `/v1/apps/acme/deliveries/${delivery.id}`)).body;
    },
    8_000,
    'an attempt',
  );
}

async function setup(t: TestContext, proxyUrl: string, resolve?: Resolver) {
  const server = await startTestHookd({ egressProxy: proxyUrl, allowNetworks: '127.0.0.0/8' }, resolve ? { resolve } : {});
  t.after(() => server.close());
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return server;
}

test('deliveries go through the proxy, which is asked for the checked address, never the name', async (t) => {
  const proxy = await startProxy({ credentials: `Basic ${Buffer.from('hookd:s3cret').toString('base64')}` });
  const receiver = await startReceiver();
  t.after(async () => {
    await receiver.close();
    await proxy.close();
  });
  const port = new URL(receiver.url).port;
  // A name hookd resolves itself: the proxy must see the address, or it could resolve the name elsewhere.
  const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const server = await setup(t, `http://hookd:s3cret@${new URL(proxy.url).host}`, resolve);
  const url = `http://receiver.test:${port}/hook`;
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { n: 1 } })).status, 202);
  const [request] = await receiver.waitFor(1);
  assert.equal(JSON.parse(String(request?.body)).data.n, 1);
  assert.equal(request?.headers.host, `receiver.test:${port}`, 'the request still names the endpoint’s host');
  assert.deepEqual(proxy.targets, [`127.0.0.1:${port}`]);
  assert.equal(proxy.credentials[0], `Basic ${Buffer.from('hookd:s3cret').toString('base64')}`);
});

test('an address the SSRF rules refuse never reaches the proxy', async (t) => {
  const proxy = await startProxy();
  t.after(() => proxy.close());
  let lookups = 0;
  // Allowed when the endpoint is created, the cloud metadata address when hookd sends: a rebinding name.
  const resolve: Resolver = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
  const server = await setup(t, proxy.url, resolve);
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url: 'http://rebind.test/hook' })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  const delivery = await attempted(server);
  assert.equal(delivery.attempts[0].error.code, 'address_not_allowed');
  assert.deepEqual(proxy.targets, [], 'the proxy heard nothing');
});

test('a proxy that refuses the tunnel, or is down, is proxy_failed', async (t) => {
  const refusing = await startProxy({ status: 403 });
  t.after(() => refusing.close());
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const server = await setup(t, refusing.url);
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  const delivery = await attempted(server);
  assert.equal(delivery.attempts[0].error.code, 'proxy_failed');
  assert.match(delivery.attempts[0].error.message, /answered 403 to CONNECT 127\.0\.0\.1:\d+/);
  assert.equal(delivery.status, 'pending', 'retried like any failure');
  assert.equal(receiver.requests.length, 0);

  // Nothing listens where this proxy was: the failure still names the proxy, not the endpoint.
  const gone = await startProxy();
  await gone.close();
  const down = await setup(t, gone.url);
  assert.equal((await down.call('POST', '/v1/apps/acme/endpoints', { url: receiver.url })).status, 201);
  assert.equal((await down.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  const failed = await attempted(down);
  assert.equal(failed.attempts[0].error.code, 'proxy_failed');
  assert.match(failed.attempts[0].error.message, /cannot reach the egress proxy 127\.0\.0\.1:\d+: ECONNREFUSED/);
});

test('https runs end to end inside the tunnel: the endpoint’s name for SNI, its certificate checked by hookd', async (t) => {
  // Self-signed, so hookd must refuse it: the check happens on hookd's side of the tunnel, not the proxy's.
  const pem = selfSigned('tls.test');
  const context = { key: pem.privateKey, cert: pem.certificate };
  const names: string[] = [];
  const https = createHttpsServer({
    ...context,
    SNICallback: (servername, done) => {
      names.push(servername);
      done(null, createSecureContext(context));
    },
  });
  https.on('tlsClientError', () => {});
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  const proxy = await startProxy();
  t.after(async () => {
    await proxy.close();
    await new Promise((resolve) => https.close(resolve));
  });
  const port = (https.address() as { port: number }).port;
  const server = await setup(t, proxy.url, async () => [{ address: '127.0.0.1', family: 4 }]);
  assert.equal((await server.call('POST', '/v1/apps/acme/endpoints', { url: `https://tls.test:${port}/hook` })).status, 201);
  assert.equal((await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} })).status, 202);
  const delivery = await attempted(server);
  assert.equal(delivery.attempts[0].error.code, 'tls_failed', delivery.attempts[0].error.message);
  // The retry that follows the failed attempt may have opened its own tunnel by now: each one goes the same way.
  assert.ok(proxy.targets.length >= 1, 'the attempt went through the proxy');
  for (const target of proxy.targets) assert.equal(target, `127.0.0.1:${port}`, 'the proxy tunnels to the checked address');
  assert.ok(names.length >= 1);
  for (const name of names) assert.equal(name, 'tls.test', 'the handshake inside the tunnel names the endpoint’s host');
});
