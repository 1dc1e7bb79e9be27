/**
 * One HTTP client per endpoint, never one per origin: endpoints of different apps often share a host and port (one
 * SaaS receiver, different paths), and a shared pool let a hung endpoint take every connection, so the other
 * endpoints' deliveries waited inside the client. Each endpoint's client has as many connections as the worker lets
 * that endpoint have in flight, so a claimed delivery always finds a connection at once. Clients idle for a while
 * are closed, so memory follows the endpoints in use, not all endpoints ever sent to. An endpoint with a client
 * certificate (mTLS) gets it on its client; a changed certificate gets a new client.
 */
import type { LookupFunction } from 'node:net';
import { Agent, type buildConnector, type Dispatcher } from 'undici';

export interface DispatcherOptions {
  /** Connections per endpoint: the most deliveries the worker keeps in flight to one endpoint. */
  connections: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Built with `guardedLookup`, so every name is checked on the way to the socket. */
  lookup: LookupFunction;
  /** Opens connections through the egress proxy (its tunnels check addresses themselves) instead of directly. */
  proxy?: (tls: ClientTls | null) => buildConnector.connector;
  /** A client unused for this long is closed. */
  idleMs: number;
}

/** What an endpoint's TLS connections present and trust beyond the defaults. */
export interface ClientTls {
  cert: string;
  key: string;
  /** Trusted instead of the system's CAs; undefined keeps them. */
  ca?: string;
}

interface Entry {
  agent: Agent;
  /** The client certificate it was opened with, as one text: another one needs another client. */
  tls: string;
  /** Requests running through it now. */
  active: number;
  lastUsed: number;
}

export class EndpointDispatchers {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: DispatcherOptions) {
    this.sweeper = setInterval(() => this.closeIdle(Date.now()), Math.max(1000, options.idleMs / 2));
    this.sweeper.unref();
  }

  /** Runs `work` with the endpoint's client, counting it as in use until `work` settles. */
  async with<T>(endpointId: string, tls: ClientTls | null, work: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    const tlsKey = tls === null ? '' : JSON.stringify(tls);
    let entry = this.entries.get(endpointId);
    if (entry && entry.tls !== tlsKey) {
      // Requests still running on the old client finish on it; close waits for them.
      entry.agent.close().catch(() => {});
      entry = undefined;
    }
    entry ??= this.open(endpointId, tls, tlsKey);
    entry.active++;
    try {
      return await work(entry.agent);
    } finally {
      entry.active--;
      entry.lastUsed = Date.now();
    }
  }

  /** How many endpoint clients are open: for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes the clients nobody used for `idleMs`. */
  closeIdle(now: number): void {
    for (const [endpointId, entry] of this.entries) {
      if (entry.active > 0 || now - entry.lastUsed < this.options.idleMs) continue;
      this.entries.delete(endpointId);
      // Idle: nothing runs through it, so closing waits for nothing.
      entry.agent.close().catch(() => {});
    }
  }

  async destroy(): Promise<void> {
    clearInterval(this.sweeper);
    const agents = [...this.entries.values()].map((entry) => entry.agent);
    this.entries.clear();
    await Promise.all(agents.map((agent) => agent.destroy().catch(() => {})));
  }

  private open(endpointId: string, tls: ClientTls | null, tlsKey: string): Entry {
    const { connections, connectTimeoutMs, timeoutMs, lookup, proxy } = this.options;
    const agent = new Agent({
      connections,
      // Never longer than the attempt: a connect still running when the whole-attempt bound ends it would be
      // named a headers timeout, so the connect bound must fire first.
      connect: proxy?.(tls) ?? { timeout: Math.min(connectTimeoutMs, timeoutMs), lookup, ...tls },
    });
    const entry: Entry = { agent, tls: tlsKey, active: 0, lastUsed: Date.now() };
    this.entries.set(endpointId, entry);
    return entry;
  }
}
