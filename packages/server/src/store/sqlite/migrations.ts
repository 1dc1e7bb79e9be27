/** SQLite schema, as numbered migrations applied in order; `user_version` records the last one. */
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    uid TEXT UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE endpoints (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT,
    signature_scheme TEXT NOT NULL,
    secret TEXT NOT NULL,
    disabled_at INTEGER,
    disabled_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX endpoints_by_app ON endpoints(app_id, id);
  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_app ON messages(app_id, id);
  CREATE TABLE idempotency_keys (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, key)
  );
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempt_count INTEGER NOT NULL,
    attempts_in_run INTEGER NOT NULL,
    next_attempt_at INTEGER,
    lease_token TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status = 'pending';
  CREATE INDEX deliveries_by_message ON deliveries(message_id);
  CREATE INDEX deliveries_by_endpoint ON deliveries(endpoint_id, status, id);
  CREATE INDEX deliveries_by_app ON deliveries(app_id, id);
  CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    request_headers TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    error TEXT
  );
  CREATE INDEX attempts_by_delivery ON attempts(delivery_id, number);
  `,
  // 2: custom headers per endpoint (a JSON object), and the secret a rotation replaced, signing until it expires.
  `
  ALTER TABLE endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE endpoints ADD COLUMN previous_secret TEXT;
  ALTER TABLE endpoints ADD COLUMN previous_secret_expires_at INTEGER;
  `,
  // 3: the event-type catalog, global to the instance; the schema is JSON text, as given.
  `
  CREATE TABLE event_types (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    json_schema TEXT,
    archived_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 4: endpoint health. failing_since starts a run of failures (cleared by a success); attempts carry their endpoint
  // so its recent attempts are read by one index range.
  `
  ALTER TABLE endpoints ADD COLUMN failing_since INTEGER;
  ALTER TABLE attempts ADD COLUMN endpoint_id TEXT;
  UPDATE attempts SET endpoint_id = (SELECT d.endpoint_id FROM deliveries d WHERE d.id = attempts.delivery_id);
  CREATE INDEX attempts_by_endpoint ON attempts(endpoint_id, started_at);
  `,
  // 5: retention finds old attempts, and old messages that still hold a payload, by index rather than by a scan.
  `
  CREATE INDEX attempts_by_start ON attempts(started_at);
  CREATE INDEX messages_unpurged_by_time ON messages(created_at) WHERE payload <> '';
  `,
  // 6: delivery limits per endpoint (rate per second, most in flight, FIFO) with the time the rate lets its next
  // delivery start; state that keeps ops events to one per episode. FIFO takes an endpoint's pending deliveries in
  // rowid order, which is insertion order (an index's entries with equal keys are kept in rowid order).
  `
  ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER;
  ALTER TABLE endpoints ADD COLUMN max_in_flight INTEGER;
  ALTER TABLE endpoints ADD COLUMN fifo INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE endpoints ADD COLUMN rate_next_at INTEGER;
  ALTER TABLE endpoints ADD COLUMN failing_alerted_at INTEGER;
  ALTER TABLE apps ADD COLUMN alert_when_silent INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE apps ADD COLUMN silence_alerted_at INTEGER;
  CREATE INDEX deliveries_fifo ON deliveries(endpoint_id) WHERE status = 'pending';
  CREATE INDEX deliveries_leased ON deliveries(endpoint_id) WHERE lease_token IS NOT NULL;
  `,
  // 7: sources (inbound webhooks). A source owns an app: its destinations are the app's endpoints and each request
  // it ingests is one of the app's messages, which keeps the provider's headers to forward beside the raw body.
  // Secrets and the IP allowlist are JSON arrays; refusals are counted in place, with the last one's reason.
  `
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scheme TEXT NOT NULL,
    secrets TEXT NOT NULL,
    allow_ips TEXT NOT NULL,
    rate_per_second REAL,
    rate_burst INTEGER,
    json_schema TEXT,
    refusals INTEGER NOT NULL DEFAULT 0,
    last_refusal_code TEXT,
    last_refusal_message TEXT,
    last_refusal_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  ALTER TABLE messages ADD COLUMN forward_headers TEXT;
  `,
  // 8: per-app API tokens, kept only as the SHA-256 (hex) of the token, which is how a request finds its token.
  `
  CREATE TABLE app_tokens (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX app_tokens_by_app ON app_tokens(app_id);
  `,
  // 9: claims read the due index without touching table rows (endpoint_id in it), and each endpoint's due deliveries
  // from an index of their own, so finding work never walks another endpoint's backlog; endpoints with limits are
  // found without reading every endpoint.
  `
  DROP INDEX deliveries_due;
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at, endpoint_id) WHERE status = 'pending';
  CREATE INDEX deliveries_due_by_endpoint ON deliveries(endpoint_id, next_attempt_at) WHERE status = 'pending';
  CREATE INDEX endpoints_limited ON endpoints(id) WHERE rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR fifo;
  `,
  // 10: an app may set its own in-flight cap (null: the configured default).
  `
  ALTER TABLE apps ADD COLUMN max_in_flight INTEGER;
  `,
  // 11: header names a source forwards beside the allowlist every source has (JSON text, lower case).
  `
  ALTER TABLE sources ADD COLUMN forward_headers TEXT NOT NULL DEFAULT '[]';
  `,
  // 12: access that can end. Settings hookd keeps for itself (the ops app's id, the key that signs portal links);
  // dashboard sessions kept server-side; app tokens that may make portal links; a per-app epoch that revokes links.
  // The ops app is known by its id from now on; an existing one is the app that holds its uid today.
  `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO settings (name, value) SELECT 'ops_app_id', id FROM apps WHERE uid = 'hookd-ops';
  ALTER TABLE app_tokens ADD COLUMN can_mint_portal_links INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE apps ADD COLUMN portal_epoch INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE ui_sessions (
    id_hash TEXT PRIMARY KEY,
    app_id TEXT REFERENCES apps(id) ON DELETE CASCADE,
    token_id TEXT REFERENCES app_tokens(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX ui_sessions_by_app ON ui_sessions(app_id);
  CREATE INDEX ui_sessions_by_token ON ui_sessions(token_id);
  `,
  // 13: an attempt's failure is a code from domain/attempt-errors.ts and a message, in two columns, instead of one
  // "code: detail" text. Older rows are split; the two old codes renamed (a timeout had no phase then, an SSRF
  // refusal was address_refused); a non-2xx answer, which had no error, gets the code its status means.
  `
  ALTER TABLE attempts ADD COLUMN error_code TEXT;
  ALTER TABLE attempts ADD COLUMN error_message TEXT;
  UPDATE attempts SET
    error_code = CASE WHEN instr(error, ': ') > 0 THEN substr(error, 1, instr(error, ': ') - 1) ELSE error END,
    error_message = CASE WHEN instr(error, ': ') > 0 THEN substr(error, instr(error, ': ') + 2) ELSE error END
  WHERE error IS NOT NULL;
  UPDATE attempts SET error_code = CASE error_code
      WHEN 'timeout' THEN 'attempt_timeout' WHEN 'address_refused' THEN 'address_not_allowed' ELSE error_code END
  WHERE error IS NOT NULL;
  UPDATE attempts SET error_code = 'network_error', error_message = error
  WHERE error IS NOT NULL AND error_code NOT IN (
    'connect_timeout', 'headers_timeout', 'body_timeout', 'attempt_timeout', 'connection_refused', 'connection_reset',
    'connection_closed', 'dns_failed', 'host_unreachable', 'tls_failed', 'address_not_allowed', 'invalid_url', 'invalid_response',
    'network_error');
  UPDATE attempts SET
    error_code = CASE WHEN response_status = 410 THEN 'endpoint_gone'
      WHEN response_status BETWEEN 300 AND 399 THEN 'redirect_not_followed' ELSE 'http_status' END,
    error_message = CASE WHEN response_status = 410 THEN 'HTTP 410 Gone'
      WHEN response_status BETWEEN 300 AND 399 THEN 'HTTP ' || response_status || ', not followed'
      ELSE 'HTTP ' || response_status END
  WHERE error IS NULL AND response_status IS NOT NULL AND response_status NOT BETWEEN 200 AND 299;
  ALTER TABLE attempts DROP COLUMN error;
  `,
  // 14: how hookd authenticates to an endpoint (Basic, OAuth 2.0, a client certificate, secret headers), kept apart
  // from the endpoint's row: only the sender reads it whole, and the API shows none of its secrets.
  `
  CREATE TABLE endpoint_credentials (
    endpoint_id TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    credentials TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 15: a delivery may be skipped (held back on purpose, never attempted), with the reason; an endpoint may hold a
  // filter (a MongoDB-style query, JSON text) that a message must match to be delivered to it.
  `
  ALTER TABLE deliveries ADD COLUMN skip_reason TEXT;
  ALTER TABLE endpoints ADD COLUMN filter TEXT;
  `,
  // 16: an endpoint's transformation, JavaScript run in a sandbox before each delivery is signed; null for none.
  `
  ALTER TABLE endpoints ADD COLUMN transformation TEXT;
  `,
  // 17: the W3C trace context of the publish (or ingest) that made a message, so its delivery attempts, in whatever
  // process and however late, join that trace; and whether an endpoint receives it as traceparent/tracestate.
  `
  ALTER TABLE messages ADD COLUMN trace_parent TEXT;
  ALTER TABLE messages ADD COLUMN trace_state TEXT;
  ALTER TABLE endpoints ADD COLUMN send_trace_context INTEGER NOT NULL DEFAULT 0;
  `,
  // 18: the audit log. app_id has no foreign key: an app's entries outlive it. Append-only: retention deletes old
  // entries, nothing updates one.
  `
  CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    app_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    address TEXT,
    request_id TEXT,
    changes TEXT NOT NULL
  );
  CREATE INDEX audit_log_app ON audit_log (app_id, id);
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  // 19: an ingested request's query parameters (JSON text), which content filters see as query.
  `
  ALTER TABLE messages ADD COLUMN query TEXT;
  `,
  // 20: message search by Idempotency-Key, past the key's window. (Content search indexes are declared by the
  // operator: see sqlite/message-search.ts.)
  `
  CREATE INDEX messages_by_idempotency_key ON messages(app_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  `,
  // 21: why an endpoint fails. Attempts keep the response's headers (bounded, JSON text) and the body sent when a
  // transformation made it (null: the payload was sent); the error mix reads an endpoint's failed attempts by code.
  `
  ALTER TABLE attempts ADD COLUMN response_headers TEXT;
  ALTER TABLE attempts ADD COLUMN request_body TEXT;
  CREATE INDEX attempts_errors_by_endpoint ON attempts(endpoint_id, started_at) WHERE error_code IS NOT NULL;
  `,
  // 22: recovery jobs. A job scans the deliveries in its filter's status in id order past its high-water mark
  // (cursor), one batch per transaction, and records each delivery it re-queues, so none is re-queued twice by one job
  // and its outcome can be told; the lease lets one process at a time run it and another take over if that one dies.
  `
  CREATE TABLE recovery_jobs (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    filter TEXT NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL,
    requeued INTEGER NOT NULL,
    scanned INTEGER NOT NULL,
    cursor TEXT NOT NULL DEFAULT '',
    lease_token TEXT,
    lease_expires_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX recovery_jobs_by_app ON recovery_jobs(app_id, id);
  CREATE INDEX recovery_jobs_running ON recovery_jobs(id) WHERE status = 'running';
  CREATE TABLE recovery_deliveries (
    job_id TEXT NOT NULL REFERENCES recovery_jobs(id) ON DELETE CASCADE,
    delivery_id TEXT NOT NULL,
    attempts_before INTEGER NOT NULL,
    PRIMARY KEY (job_id, delivery_id)
  ) WITHOUT ROWID;
  CREATE INDEX deliveries_by_app_status ON deliveries(app_id, status, id);
  `,
  // 23: A test event (sent to one chosen endpoint from the dashboard, the portal or the API): shown as one in the lists.
  `
  ALTER TABLE messages ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
  `,
  // 24: The latest refusals of each source with their reason (at most 100 a source are kept), which its screen lists.
  `
  CREATE TABLE source_refusals (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX source_refusals_latest ON source_refusals (source_id, at);
  `,
  // 25: An app's portal branding (JSON text: name, logo URL, accent colour); null: hookd's own look.
  `
  ALTER TABLE apps ADD COLUMN portal_branding TEXT;
  `,
  // 26: a paused endpoint's deliveries are held (pending, not attempted) until it is resumed.
  `
  ALTER TABLE endpoints ADD COLUMN paused_at INTEGER;
  `,
];

/** The schema version the database is at, and the one this code brings it to. */
export function schemaVersion(db: Database.Database): { applied: number; expected: number } {
  return { applied: db.pragma('user_version', { simple: true }) as number, expected: MIGRATIONS.length };
}

/** Brings the schema up to date, or up to version `upTo` (tests of one migration stop just before it). */
export function migrate(db: Database.Database, upTo = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database is at schema version ${current}, newer than this hookd (${MIGRATIONS.length})`);
  }
  db.transaction(() => {
    for (let version = current; version < upTo; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
