/** Starts a real hookd on loopback with a fresh SQLite file, fast retry timings and silent logs. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { type Hookd, type HookdOptions, loadConfig, type RawSettings, startHookd } from '../../src/index.js';
import { closedAtEnd } from './leftovers.js';
import { startReceiver } from './receiver.js';

export interface TestHookd {
  hookd: Hookd;
  /** The API's base URL. */
  url: string;
  dataDir: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /**
   * Resolves once the worker looked for work and found none, with nothing in flight: nothing more is sent until
   * something is published or falls due. The way to check that something is not sent, without sleeping.
   */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
  body: any;
}

/**
 * The master key every test process shares (like the HOOKD_MASTER_KEY of a real cluster): processes with their own
 * data folders on one PostgreSQL database must open each other's secrets.
 */
export const TEST_MASTER_KEY = 'Aa5KnkDKIq37KFJGoe1jOE3+FTa+WvkH7/jd6nvi6CQ=';

/** Loopback allowed, retries 50 ms apart, 1 s attempt timeout: a whole schedule runs in well under a second. */
export const FAST: RawSettings = {
  masterKey: TEST_MASTER_KEY,
  port: 0,
  allowNetworks: '127.0.0.0/8,::1/128',
  logLevel: 'silent',
  retrySchedule: '0,50ms,50ms',
  retryJitter: 0,
  timeout: '1s',
  lease: '2s',
  pollInterval: '50ms',
};

/**
 * A data folder for hookds a test starts one after another: removed when the test process exits, after every hookd
 * on it has closed. (Removed in a t.after, it went before the hookd on it closed, since after hooks run in the order
 * they were added, and a hook that throws skips the closing ones after it.)
 */
export function sharedDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-shared-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startTestHookd(settings: RawSettings = {}, options: Omit<HookdOptions, 'config'> = {}): Promise<TestHookd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-test-'));
  const config = loadConfig({ flags: { ...FAST, dataDir, adminToken: 'test-admin-token-0123456789abcdefghij', ...settings } });
  const hookd = await startHookd({ config, logger: pino({ level: config.logLevel }), ...options });
  const url = hookd.url ?? '';
  const close = closedAtEnd(async () => {
    await hookd.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    hookd,
    url,
    dataDir,
    call: (method, path, body, headers) => callApi(url, hookd.adminToken, method, path, body, headers),
    idle: async () => hookd.worker?.whenIdle(),
    close,
  };
}

export async function callApi(
  baseUrl: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(baseUrl + path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A hookd whose clock the test moves, with a one-hour secret overlap, an app `acme` and a receiver; closed after. */
export async function startWithReceiver(t: TestContext) {
  const clock = { now: Date.now() };
  const server = await startTestHookd({ secretOverlap: '1h' }, { clock: () => clock.now });
  const receiver = await startReceiver();
  t.after(async () => {
    await receiver.close();
    await server.close();
  });
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return { server, receiver, clock };
}
