import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent } from 'undici';
import { ExchangeTimeout, exchange } from './exchange.js';

async function serve(listener: RequestListener, work: (url: URL, agent: Agent) => Promise<void>): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent();
  try {
    await work(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?x=1`), agent);
  } finally {
    await agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}', bodyLimit: 16 } as const;

test('an exchange keeps the status, every header value and the first bytes of a long body, and sends path and body', async () => {
  let seen = '';
  await serve(
    (req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        seen += chunk;
      });
      req.on('end', () => {
        seen = `${req.url} ${seen}`;
        res.writeHead(409, [
          ['X-Twice', 'one'],
          ['x-twice', 'two'],
          ['__proto__', 'plain'],
        ]);
        res.end('é'.repeat(5_000));
      });
    },
    async (url, agent) => {
      const answer = await exchange(agent, url, { ...post, timeoutMs: 2_000 });
      assert.equal(answer.status, 409);
      assert.deepEqual(answer.headers['x-twice'], ['one', 'two']);
      assert.equal(Object.getOwnPropertyDescriptor(answer.headers, '__proto__')?.value, 'plain');
      assert.equal(Buffer.byteLength(answer.body), 16);
      assert.equal(answer.body, 'é'.repeat(8));
      assert.equal(seen, '/hook?x=1 {"a":1}');
    },
  );
});

test('a body trickled a byte at a time ends at the bound on the whole exchange, named as the body phase', async () => {
  await serve(
    (_req, res) => {
      res.writeHead(200);
      // Each pause is shorter than the bound: only the bound on the whole exchange ends it.
      const drip = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(drip));
    },
    async (url, agent) => {
      const started = Date.now();
      await assert.rejects(exchange(agent, url, { ...post, bodyLimit: 4096, timeoutMs: 300 }), (error) => {
        assert.ok(error instanceof ExchangeTimeout);
        assert.equal(error.phase, 'body');
        return true;
      });
      assert.ok(Date.now() - started < 2_000, 'ended late');
    },
  );
});
