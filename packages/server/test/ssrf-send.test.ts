/**
 * SSRF at send time, beyond ssrf.test.ts: a name that rebinds on its second lookup, every spelling of a
 * non-public address a DNS answer can carry (IPv6 forms included), and an answer mixing public and private
 * addresses. The socket only ever connects to an address that was checked.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import type { Resolver } from '../src/delivery/index.js';
import { eventually, startTestHookd, type TestHookd } from './helpers/hookd.js';

interface Attempt {
  responseStatus: number | null;
  error: { code: string; message: string } | null;
}

async function attemptsOf(server: TestHookd, dlv: string, count: number): Promise<Attempt[]> {
  return eventually(
    async () => {
      const answer = await server.call('GET', `/v1/apps/acme/deliveries/${dlv}`);
      return answer.body.attempts.length >= count && answer.body.status !== 'pending'
        ? (answer.body.attempts as Attempt[])
        : undefined;
    },
    8_000,
    `${count} attempts of ${dlv}`,
  );
}

/** A bare HTTP listener on one loopback address that answers 200 and counts connections. */
async function listenOn(host: string, port = 0): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

test('a name whose second lookup rebinds to a forbidden address is refused, and the socket connects only to checked addresses', async (t) => {
  // Two listeners on one port: 127.0.0.2 (allowed) and 127.0.0.1 (not allowed). Lookups alternate between them.
  const allowed = await listenOn('127.0.0.2');
  const forbidden = await listenOn('127.0.0.1', allowed.port);
  let lookups = 0;
  const resolve: Resolver = async (hostname) => {
    assert.equal(hostname, 'rebind.test');
    lookups++;
    return [{ address: lookups % 2 === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
  };
  const server = await startTestHookd({ allowNetworks: '127.0.0.2/32' }, { resolve });
  t.after(async () => {
    await server.close();
    await new Promise((r) => allowed.server.close(r));
    await new Promise((r) => forbidden.server.close(r));
  });
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: `http://rebind.test:${allowed.port}/hook` });
  assert.equal(ep.status, 201, JSON.stringify(ep.body));
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} });
  const dlv = (await server.call('GET', `/v1/apps/acme/events/${published.body.id}/deliveries`)).body.data[0].id;

  // Lookup 1 (creation): 127.0.0.2. Lookup 2 (first attempt): 127.0.0.1, refused. Lookup 3 (retry): 127.0.0.2.
  const attempts = await attemptsOf(server, dlv, 2);
  assert.equal(attempts[0]?.error?.code, 'address_not_allowed', JSON.stringify(attempts[0]));
  assert.equal(attempts[1]?.responseStatus, 200);
  assert.equal(forbidden.connections(), 0, 'nothing ever connected to the forbidden address');
  assert.equal(allowed.connections(), 1);
  t.diagnostic(`${lookups} lookups; attempts: ${attempts.map((a) => a.error?.message ?? a.responseStatus).join(' | ')}`);
});

test('every non-public address a DNS answer can carry is refused at send time, IPv6 forms and mixed answers included', async (t) => {
  const forms = [
    ['127.0.0.1'],
    ['0.0.0.0'],
    ['10.1.2.3'],
    ['172.16.0.1'],
    ['192.168.1.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['::1'],
    ['::'],
    ['::ffff:127.0.0.1'],
    ['::ffff:169.254.169.254'],
    ['::127.0.0.1'],
    ['fe80::1'],
    ['fd00:ec2::254'],
    ['64:ff9b::7f00:1'],
    ['2002:7f00:1::'],
    ['93.184.216.34', '127.0.0.1'], // one public address does not vouch for the rest of the answer
    ['2606:4700::1111', '::1'],
  ];
  let phase: 'create' | 'send' = 'create';
  const resolve: Resolver = async (hostname) => {
    const i = Number(/^h(\d+)\.test$/.exec(hostname)?.[1]);
    const addresses = forms[i];
    if (!addresses) throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
    if (phase === 'create') return [{ address: '93.184.216.34', family: 4 }];
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const server = await startTestHookd({ allowNetworks: '' }, { resolve });
  t.after(() => server.close());
  await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' });
  for (const [i] of forms.entries()) {
    const ep = await server.call('POST', '/v1/apps/acme/endpoints', { url: `http://h${i}.test/hook` });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));
  }
  phase = 'send';
  const published = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: {} });
  assert.equal(published.body.deliveries, forms.length);
  const deliveries = (await server.call('GET', `/v1/apps/acme/events/${published.body.id}/deliveries?limit=100`)).body.data;
  const endpoints = (await server.call('GET', '/v1/apps/acme/endpoints?limit=100')).body.data as { id: string; url: string }[];
  for (const delivery of deliveries as { id: string; endpointId: string }[]) {
    const url = endpoints.find((e) => e.id === delivery.endpointId)?.url ?? '';
    const form = forms[Number(/h(\d+)\.test/.exec(url)?.[1])]?.join(', ');
    const attempts = await attemptsOf(server, delivery.id, 1);
    for (const attempt of attempts) {
      assert.equal(attempt.error?.code, 'address_not_allowed', `${form}: ${JSON.stringify(attempt.error)}`);
    }
  }
  t.diagnostic(`${forms.length} address forms, each refused on every attempt`);
});
