/** Where `hookd listen` keeps every request it caught: one SQLite file, so they outlive the process. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface Verification {
  /** The scheme checked: the one given with --provider, else the one the request's headers name. */
  scheme: string;
  /** True when the scheme was read from the request's headers rather than given. */
  detected: boolean;
  ok: boolean;
  /** The SDK's code when it failed: signature_invalid, header_missing, timestamp_too_old, … */
  code?: string;
  message?: string;
}

export interface ForwardOutcome {
  url: string;
  /** Null when the app could not be reached. */
  status: number | null;
  durationMs: number;
  body?: string;
  error?: string;
}

export interface Captured {
  id: number;
  /** Epoch milliseconds. */
  receivedAt: number;
  method: string;
  /** Path and query, as requested. */
  path: string;
  /** In the order they arrived, names in lower case. */
  headers: [string, string][];
  body: Buffer;
  /** The event type the request names, when it names one (body `type`, X-GitHub-Event, X-Shopify-Topic, …). */
  eventType: string | null;
  verification: Verification | null;
  /** What the sender was answered; null until it was. */
  responseStatus: number | null;
  forward: ForwardOutcome | null;
}

interface Row {
  id: number;
  received_at: number;
  method: string;
  path: string;
  headers: string;
  body: Buffer;
  event_type: string | null;
  verification: string | null;
  response_status: number | null;
  forward: string | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    event_type TEXT,
    verification TEXT,
    response_status INTEGER,
    forward TEXT
  );
  CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  PRAGMA user_version = 1;
`;

function toCaptured(row: Row): Captured {
  return {
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    headers: JSON.parse(row.headers) as [string, string][],
    body: row.body,
    eventType: row.event_type,
    verification: row.verification === null ? null : (JSON.parse(row.verification) as Verification),
    responseStatus: row.response_status,
    forward: row.forward === null ? null : (JSON.parse(row.forward) as ForwardOutcome),
  };
}

export type ListenStore = ReturnType<typeof openListenStore>;

export function openListenStore(path: string) {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  const insert = db.prepare(`
    INSERT INTO requests (received_at, method, path, headers, body, event_type, verification)
    VALUES (@receivedAt, @method, @path, @headers, @body, @eventType, @verification)`);
  const finish = db.prepare('UPDATE requests SET response_status = @status, forward = @forward WHERE id = @id');
  const byId = db.prepare<[number], Row>('SELECT * FROM requests WHERE id = ?');
  const newest = db.prepare<[number, number], Row>('SELECT * FROM requests WHERE id < ? ORDER BY id DESC LIMIT ?');
  const after = db.prepare<[number, number], Row>('SELECT * FROM requests WHERE id > ? ORDER BY id LIMIT ?');
  const last = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM requests');
  const setting = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const keep = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)');
  return {
    /**
     * The signing secret this file keeps, made by `make` on first use: a secret pasted into an endpoint still holds
     * when listen restarts on the same file.
     */
    secret(make: () => string): string {
      keep.run('secret', make());
      return (setting.get('secret') as { value: string }).value;
    },
    add(request: Omit<Captured, 'id' | 'responseStatus' | 'forward'>): Captured {
      const { lastInsertRowid } = insert.run({
        ...request,
        headers: JSON.stringify(request.headers),
        verification: request.verification === null ? null : JSON.stringify(request.verification),
      });
      return { ...request, id: Number(lastInsertRowid), responseStatus: null, forward: null };
    },
    /** Records what the sender was answered and, with --forward, what the app said. */
    finish(id: number, status: number, forward: ForwardOutcome | null): void {
      finish.run({ id, status, forward: forward === null ? null : JSON.stringify(forward) });
    },
    get(id: number): Captured | null {
      const row = byId.get(id);
      return row ? toCaptured(row) : null;
    },
    /** Newest first, before the id `before` (a page cursor). */
    list(limit: number, before = Number.MAX_SAFE_INTEGER): Captured[] {
      return newest.all(before, limit).map(toCaptured);
    },
    /** Oldest first, after an id: what a live page that reconnects has missed. */
    after(id: number, limit = 500): Captured[] {
      return after.all(id, limit).map(toCaptured);
    },
    lastId(): number {
      return last.get()?.id ?? 0;
    },
    close(): void {
      if (db.open) db.close();
    },
  };
}
