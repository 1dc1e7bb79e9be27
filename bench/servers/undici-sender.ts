/**
 * The sending half of an HTTP request on its own: the undici loop of `delivery`'s baseline (a Pool, 32 in flight, the
 * body read whole), in a child process, so its CPU is the sender's alone. `BENCH_URL=… BENCH_BODY=… BENCH_REQUESTS=…
 * node … undici-sender.ts` prints `{ "cpuUsPerRequest": … }` for the requests after a warm-up of 2,000.
 */
import { Pool } from 'undici';

const url = new URL(process.env.BENCH_URL as string);
const body = process.env.BENCH_BODY as string;
const requests = Number(process.env.BENCH_REQUESTS);
const pool = new Pool(url.origin, { connections: 32 });

async function loop(count: number): Promise<void> {
  let sent = 0;
  const sender = async () => {
    while (sent++ < count) {
      const answer = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await answer.body.text();
    }
  };
  await Promise.all(Array.from({ length: 32 }, sender));
}

await loop(2_000);
const before = process.cpuUsage();
await loop(requests);
const spent = process.cpuUsage(before);
console.log(JSON.stringify({ cpuUsPerRequest: (spent.user + spent.system) / requests }));
await pool.close();
