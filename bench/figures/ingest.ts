/**
 * Inbound ingest latency: GitHub-signed 1 KiB webhooks POSTed to `/in/{source}` at a steady 1,000 requests/s for
 * 5 s, against `hookd serve` on SQLite (a child process, as users run it), each verified, de-duplicated and
 * committed before the 200 (an `api` process: forwarding is the `delivery` figure's subject). Latency runs from the time a
 * request was due to its answer (open loop: a slow answer cannot delay the next send and hide itself).
 * Baseline, in the same run: the same load against a bare node:http server that reads the body and answers 200.
 * Goal: p99 under 10 ms.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callApi } from '../../packages/server/test/helpers/hookd.js';
import { freePort, killHard, spawnHookd, waitReady } from '../../packages/server/test/helpers/processes.js';
import { compared, type Figure, type Row } from '../figure.js';
import { openLoop, percentile, poolTo } from '../loopback.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const SEED = 0x5eed_0003;
const RATE_PER_S = 1_000;
const SECONDS = 5;
const WARMUP_SECONDS = 1;
const BODY_BYTES = 1024;
const GOAL_P99_MS = 10;
const TOKEN = 'bench-admin-token-0123456789abcdefghi';
const SECRET = 'bench-github-secret';

interface Signed {
  body: string;
  headers: Record<string, string>;
}

/** One signed GitHub delivery per request, each with its own delivery id, so none is a duplicate. */
function signedRequests(count: number, offset: number): Signed[] {
  const random = seededRandom(SEED + offset);
  return Array.from({ length: count }, (_, n) => {
    const body = seededJsonBody(random, BODY_BYTES);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `bench-${offset}-${n}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    };
  });
}

/** Sends `requests` at RATE_PER_S (open loop); each one's latency from its due time, in ms. */
async function steadyLoad(url: string, requests: readonly Signed[]): Promise<number[]> {
  const target = new URL(url);
  const pool = poolTo(url, 128);
  const latencies: number[] = [];
  try {
    await openLoop(RATE_PER_S, requests.length, async (n, due) => {
      const request = requests[n] as Signed;
      const answer = await pool.post(target.pathname, request.headers, request.body);
      if (answer.status !== 200) throw new Error(`bench: ingest answered ${answer.status}`);
      latencies.push(performance.now() - due);
    });
  } finally {
    await pool.close();
  }
  return latencies;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, server };
}

const figure: Figure = {
  name: 'ingest',
  description: `inbound ingest latency at ${RATE_PER_S}/s for ${SECONDS} s: GitHub verification, SQLite commit, 1 KiB bodies`,
  async run(): Promise<Row[]> {
    const answer200 = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    };
    const plain = await listen(answer200);
    const destination = await listen(answer200);
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-bench-ingest-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // The ingest path alone: an API process, so forwarding (the `delivery` figure's subject) does not share its CPU.
    // The forwards wait, committed, for a worker.
    const child = spawnHookd({
      HOOKD_ROLE: 'api',
      HOOKD_ADMIN_TOKEN: TOKEN,
      HOOKD_PORT: String(port),
      HOOKD_DATA_DIR: dataDir,
      HOOKD_TIMEOUT: '5s',
      HOOKD_LEASE: '10s',
      HOOKD_POLL_INTERVAL: '1s',
    });
    try {
      await waitReady(base);
      const created = await callApi(base, TOKEN, 'POST', '/v1/sources', {
        name: 'bench',
        scheme: 'github',
        secrets: [SECRET],
        destinations: [{ url: destination.url }],
      });
      if (created.status !== 201) throw new Error(`bench: creating the source answered ${created.status}`);
      const ingestUrl = `${base}/in/bench`;
      // Warm-up: JIT, connections, the SQLite page cache; not counted.
      await steadyLoad(ingestUrl, signedRequests(RATE_PER_S * WARMUP_SECONDS, 0));
      await steadyLoad(plain.url, signedRequests(RATE_PER_S * WARMUP_SECONDS, 0));
      const baseline = await steadyLoad(plain.url, signedRequests(RATE_PER_S * SECONDS, 1));
      const ours = await steadyLoad(ingestUrl, signedRequests(RATE_PER_S * SECONDS, 2));
      const rows: Row[] = [];
      for (const [name, p] of [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const) {
        const value = percentile(ours, p);
        rows.push(
          compared({
            figure: `ingest latency ${name}, ${RATE_PER_S}/s, GitHub signature, SQLite`,
            value,
            unit: 'ms',
            better: 'lower',
            baseline: { name: 'bare node:http server answering 200, same load', value: percentile(baseline, p) },
            ...(name === 'p99' ? { bound: GOAL_P99_MS } : {}),
            details: { requests: ours.length, seconds: SECONDS, bodyBytes: BODY_BYTES, max: Math.max(...ours) },
          }),
        );
      }
      return rows;
    } finally {
      await killHard(child);
      plain.server.close();
      destination.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default figure;
