/**
 * PostgreSQL a little further away: a TCP proxy to `BENCH_TARGET` (host:port) that holds every chunk `BENCH_DELAY_MS`
 * in each direction, in order, as a network between hookd and a managed database would. Run as a child process, so
 * its CPU is nobody's in the figures; it prints its port on stdout.
 */
import { connect, createServer, type Socket } from 'node:net';

const [host, port] = (process.env.BENCH_TARGET ?? '127.0.0.1:5432').split(':') as [string, string];
const delayMs = Number(process.env.BENCH_DELAY_MS ?? '1');

function relay(from: Socket, to: Socket): void {
  // Timers of one delay fire in the order they were set, so the stream stays in order.
  from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
  from.on('error', () => {});
}

const server = createServer((client) => {
  const database = connect(Number(port), host);
  client.setNoDelay(true);
  database.setNoDelay(true);
  relay(client, database);
  relay(database, client);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address !== 'string') console.log(address.port);
});
