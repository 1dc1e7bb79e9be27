/**
 * Real PostgreSQL for tests: a fresh database per test run (dropped after), a fresh schema per store, and a
 * TCP proxy that can make the database unreachable on demand.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { userInfo } from 'node:os';
import type { TestContext } from 'node:test';
import pg from 'pg';

/** Where tests look for a server with trust auth; HOOKD_TEST_POSTGRES_URL names another maintenance database. */
export const POSTGRES_ADMIN_URLS = process.env.HOOKD_TEST_POSTGRES_URL
  ? [process.env.HOOKD_TEST_POSTGRES_URL]
  : ['postgres://postgres@127.0.0.1:5432/postgres', `postgres://${userInfo().username}@127.0.0.1:5432/postgres`];

/** The first admin URL that answers, or null when no PostgreSQL can be reached. */
export async function reachPostgres(): Promise<string | null> {
  for (const url of POSTGRES_ADMIN_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      // try the next one
    } finally {
      await client.end().catch(() => {});
    }
  }
  return null;
}

export interface TestDatabase {
  /** Connects to the database, as its owner. */
  url: string;
  /** A URL whose connections use a new, empty schema of this database: a store as if the database were new. */
  freshSchema(): Promise<string>;
  /** Drops the database, closing any connection left on it. */
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL tests cannot run here, for a skip or a failure message. */
export const POSTGRES_UNREACHABLE = `no PostgreSQL answered at ${POSTGRES_ADMIN_URLS.join(' or ')}; set HOOKD_TEST_POSTGRES_URL`;

/** A fresh database for one test; when no PostgreSQL answers, null and the test is skipped (it fails under CI instead). */
export async function testDatabase(t: TestContext): Promise<TestDatabase | null> {
  const adminUrl = await reachPostgres();
  if (adminUrl === null) {
    if (process.env.CI === 'true') throw new Error(POSTGRES_UNREACHABLE);
    t.skip(POSTGRES_UNREACHABLE);
    return null;
  }
  return createTestDatabase(adminUrl);
}

/** Creates a database with a random name, reached through `adminUrl` (the first that answers by default). */
export async function createTestDatabase(adminUrlGiven?: string): Promise<TestDatabase> {
  const adminUrl = adminUrlGiven ?? (await reachPostgres());
  if (adminUrl === null) throw new Error(POSTGRES_UNREACHABLE);
  const name = `hookd_test_${randomBytes(6).toString('hex')}`;
  // template0: other test runs connected to template1 would make CREATE DATABASE fail.
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let schemas = 0;
  return {
    url: url.href,
    async freshSchema() {
      const schema = `store_${schemas++}`;
      await admin(url.href, (c) => c.query(`CREATE SCHEMA ${schema}`));
      const scoped = new URL(url.href);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      return scoped.href;
    },
    async drop() {
      const left = await admin(adminUrl, async (c) => {
        const open = await connectionsLeftOn(c, name);
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return open;
      });
      // Like graphile-worker's tests: a test that leaks a pool or a listener fails, even if it passed.
      if (left.length > 0) throw new Error(`connections left open on the test database: ${left.join(', ')}`);
    },
  };
}

/** Names the connections still open on a database, after giving closing ones a moment to go. */
async function connectionsLeftOn(client: pg.Client, database: string): Promise<string[]> {
  for (let tries = 0; ; tries++) {
    const { rows } = await client.query<{ name: string }>(
      'SELECT application_name AS name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    if (rows.length === 0 || tries === 40) return rows.map((r) => r.name || 'unnamed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A URL like `url`, but reaching the server at another local port. */
export function viaPort(url: string, port: number): string {
  const moved = new URL(url);
  moved.hostname = '127.0.0.1';
  moved.port = String(port);
  return moved.href;
}

export type ProxyMode = 'up' | 'down' | 'silent';

export interface OutageProxy {
  port: number;
  /** up: forwards; down: drops every connection, open or new; silent: accepts and never answers. */
  set(mode: ProxyMode): void;
  /** Resolves once `count` connections in all were dropped on arrival while down; rejects after `timeoutMs`. */
  refused(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of the database, to cut it off from a store the way a network or a restart would. */
export async function startOutageProxy(targetUrl: string): Promise<OutageProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let mode: ProxyMode = 'up';
  let refusals = 0;
  const refusalSeen = new Set<() => void>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (mode === 'down') {
      refusals++;
      for (const seen of refusalSeen) seen();
      return void inbound.destroy();
    }
    if (mode === 'silent') return;
    const outbound = tcpConnect(Number(target.port || 5432), target.hostname);
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    set(next) {
      mode = next;
      if (next !== 'up') for (const socket of sockets) socket.destroy();
    },
    refused(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          refusalSeen.delete(seen);
          if (error) reject(error);
          else resolve();
        };
        const seen = () => {
          if (refusals >= count) done();
        };
        const timer = setTimeout(
          () => done(new Error(`${refusals} of ${count} connections refused in ${timeoutMs} ms`)),
          timeoutMs,
        );
        refusalSeen.add(seen);
        seen();
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
