/**
 * PostgreSQL schema, as numbered migrations applied in order; `hookd_migrations` records those applied.
 * Same meaning as the SQLite schema: text ids, times as bigint Unix milliseconds, payloads as published.
 */
import type pg from 'pg';
import { inTransaction } from './pool.js';

// Ids sort and compare byte by byte (their time prefix makes them pagination cursors), whatever the database's locale.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE apps (
    id text COLLATE "C" PRIMARY KEY,
    uid text COLLATE "C" CONSTRAINT apps_uid_unique UNIQUE,
    name text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE endpoints (
    id text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    url text NOT NULL,
    description text NOT NULL,
    events text[],
    signature_scheme text NOT NULL,
    secret text NOT NULL,
    disabled_at bigint,
    disabled_reason text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX endpoints_by_app ON endpoints (app_id, id);
  CREATE TABLE messages (
    id text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    type text NOT NULL,
    -- text, not jsonb: the bytes delivered and signed are exactly those published.
    payload text NOT NULL,
    idempotency_key text,
    created_at bigint NOT NULL
  );
  CREATE INDEX messages_by_app ON messages (app_id, id);
  CREATE TABLE idempotency_keys (
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    key text NOT NULL,
    message_id text COLLATE "C" NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (app_id, key)
  );
  CREATE TABLE deliveries (
    id text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" NOT NULL,
    message_id text COLLATE "C" NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id text COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempt_count integer NOT NULL,
    attempts_in_run integer NOT NULL,
    next_attempt_at bigint,
    lease_token text,
    last_error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  -- The claim path: due pending deliveries, soonest first.
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX deliveries_by_message ON deliveries (message_id);
  CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, status, id);
  CREATE INDEX deliveries_by_app ON deliveries (app_id, id);
  CREATE TABLE attempts (
    id text COLLATE "C" PRIMARY KEY,
    delivery_id text COLLATE "C" NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number integer NOT NULL,
    started_at bigint NOT NULL,
    duration_ms integer NOT NULL,
    -- json, not jsonb: headers keep the order they were sent in.
    request_headers json NOT NULL,
    response_status integer,
    response_body text,
    error text
  );
  CREATE INDEX attempts_by_delivery ON attempts (delivery_id, number);
  `,
  // 2: custom headers per endpoint, and the secret a rotation replaced, signing until it expires.
  `
  ALTER TABLE endpoints
    -- json, not jsonb: headers keep the order they were given in.
    ADD COLUMN headers json NOT NULL DEFAULT '{}',
    ADD COLUMN previous_secret text,
    ADD COLUMN previous_secret_expires_at bigint;
  `,
  // 3: the event-type catalog, global to the instance. Names sort byte by byte, as list cursors.
  `
  CREATE TABLE event_types (
    name text COLLATE "C" CONSTRAINT event_types_pkey PRIMARY KEY,
    description text NOT NULL,
    -- text, not jsonb: the schema reads back with its keys in the order they were given.
    json_schema text,
    archived_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  `,
  // 4: endpoint health. failing_since starts a run of failures (cleared by a success); attempts carry their endpoint
  // so its recent attempts are read by one index range.
  `
  ALTER TABLE endpoints ADD COLUMN failing_since bigint;
  ALTER TABLE attempts ADD COLUMN endpoint_id text COLLATE "C";
  UPDATE attempts a SET endpoint_id = d.endpoint_id FROM deliveries d WHERE d.id = a.delivery_id;
  CREATE INDEX attempts_by_endpoint ON attempts (endpoint_id, started_at);
  `,
  // 5: retention finds old attempts, and old messages that still hold a payload, by index rather than by a scan.
  `
  CREATE INDEX attempts_by_start ON attempts (started_at);
  CREATE INDEX messages_unpurged_by_time ON messages (created_at) WHERE payload <> '';
  `,
  // 6: delivery limits per endpoint (rate per second, most in flight, FIFO) with the time the rate lets its next
  // delivery start; state that keeps ops events to one per episode. seq numbers deliveries in insertion order, the
  // order FIFO endpoints receive them in.
  `
  ALTER TABLE endpoints ADD COLUMN rate_limit integer;
  ALTER TABLE endpoints ADD COLUMN max_in_flight integer;
  ALTER TABLE endpoints ADD COLUMN fifo boolean NOT NULL DEFAULT false;
  ALTER TABLE endpoints ADD COLUMN rate_next_at bigint;
  ALTER TABLE endpoints ADD COLUMN failing_alerted_at bigint;
  ALTER TABLE apps ADD COLUMN alert_when_silent boolean NOT NULL DEFAULT false;
  ALTER TABLE apps ADD COLUMN silence_alerted_at bigint;
  ALTER TABLE deliveries ADD COLUMN seq bigserial;
  CREATE INDEX deliveries_fifo ON deliveries (endpoint_id, seq) WHERE status = 'pending';
  CREATE INDEX deliveries_leased ON deliveries (endpoint_id) WHERE lease_token IS NOT NULL;
  CREATE INDEX endpoints_limited ON endpoints (id) WHERE rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR fifo;
  `,
  // 7: sources (inbound webhooks). A source owns an app: its destinations are the app's endpoints and each request
  // it ingests is one of the app's messages, which keeps the provider's headers to forward beside the raw body.
  // Secrets and the IP allowlist are JSON text, as in SQLite; refusals are counted in place, with the last one's reason.
  `
  CREATE TABLE sources (
    id text COLLATE "C" PRIMARY KEY,
    name text COLLATE "C" NOT NULL CONSTRAINT sources_name_unique UNIQUE,
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    scheme text NOT NULL,
    secrets text NOT NULL,
    allow_ips text NOT NULL,
    rate_per_second double precision,
    rate_burst integer,
    json_schema text,
    refusals integer NOT NULL DEFAULT 0,
    last_refusal_code text,
    last_refusal_message text,
    last_refusal_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  -- json text, not jsonb: headers keep the order the provider sent them in.
  ALTER TABLE messages ADD COLUMN forward_headers text;
  `,
  // 8: per-app API tokens, kept only as the SHA-256 (hex) of the token, which is how a request finds its token.
  `
  CREATE TABLE app_tokens (
    id text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name text NOT NULL,
    hash text NOT NULL UNIQUE,
    created_at bigint NOT NULL
  );
  CREATE INDEX app_tokens_by_app ON app_tokens(app_id);
  `,
  // 9: claims read the due index with the endpoint in it, and each endpoint's due deliveries from an index of their
  // own, so finding work never walks another endpoint's backlog.
  `
  DROP INDEX deliveries_due;
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at, endpoint_id) WHERE status = 'pending';
  CREATE INDEX deliveries_due_by_endpoint ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
  `,
  // 10: an app may set its own in-flight cap (null: the configured default).
  `
  ALTER TABLE apps ADD COLUMN max_in_flight integer;
  `,
  // 11: header names a source forwards beside the allowlist every source has (JSON text, lower case).
  `
  ALTER TABLE sources ADD COLUMN forward_headers text NOT NULL DEFAULT '[]';
  `,
  // 12: access that can end (see the SQLite migration 12).
  `
  CREATE TABLE settings (
    name text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
  );
  INSERT INTO settings (name, value) SELECT 'ops_app_id', id FROM apps WHERE uid = 'hookd-ops';
  ALTER TABLE app_tokens ADD COLUMN can_mint_portal_links boolean NOT NULL DEFAULT false;
  ALTER TABLE apps ADD COLUMN portal_epoch integer NOT NULL DEFAULT 0;
  CREATE TABLE ui_sessions (
    id_hash text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" REFERENCES apps(id) ON DELETE CASCADE,
    token_id text COLLATE "C" REFERENCES app_tokens(id) ON DELETE CASCADE,
    csrf text NOT NULL,
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX ui_sessions_by_app ON ui_sessions (app_id);
  CREATE INDEX ui_sessions_by_token ON ui_sessions (token_id);
  `,
  // 13: an attempt's failure is a code from domain/attempt-errors.ts and a message, in two columns, instead of one
  // "code: detail" text. Older rows are split; the two old codes renamed (a timeout had no phase then, an SSRF
  // refusal was address_refused); a non-2xx answer, which had no error, gets the code its status means.
  `
  ALTER TABLE attempts ADD COLUMN error_code text;
  ALTER TABLE attempts ADD COLUMN error_message text;
  UPDATE attempts SET
    error_code = CASE WHEN strpos(error, ': ') > 0 THEN substr(error, 1, strpos(error, ': ') - 1) ELSE error END,
    error_message = CASE WHEN strpos(error, ': ') > 0 THEN substr(error, strpos(error, ': ') + 2) ELSE error END
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
      WHEN response_status BETWEEN 300 AND 399 THEN 'HTTP ' || response_status::text || ', not followed'
      ELSE 'HTTP ' || response_status::text END
  WHERE error IS NULL AND response_status IS NOT NULL AND response_status NOT BETWEEN 200 AND 299;
  ALTER TABLE attempts DROP COLUMN error;
  `,
  // 14: how hookd authenticates to an endpoint (Basic, OAuth 2.0, a client certificate, secret headers), kept apart
  // from the endpoint's row: only the sender reads it whole, and the API shows none of its secrets.
  `
  CREATE TABLE endpoint_credentials (
    endpoint_id text PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    credentials text NOT NULL,
    updated_at bigint NOT NULL
  );
  `,
  // 15: skipped deliveries with their reason, and endpoint filters (see the SQLite migration 15).
  `
  ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
  ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped'));
  ALTER TABLE deliveries ADD COLUMN skip_reason text;
  ALTER TABLE endpoints ADD COLUMN filter text;
  `,
  // 16: an endpoint's transformation, JavaScript run in a sandbox before each delivery is signed; null for none.
  `
  ALTER TABLE endpoints ADD COLUMN transformation text;
  `,
  // 17: a message's W3C trace context, and whether an endpoint receives it (see the SQLite migration 17).
  `
  ALTER TABLE messages ADD COLUMN trace_parent text, ADD COLUMN trace_state text;
  ALTER TABLE endpoints ADD COLUMN send_trace_context boolean NOT NULL DEFAULT false;
  `,
  // 18: the audit log (see the SQLite migration 18).
  `
  CREATE TABLE audit_log (
    id text PRIMARY KEY,
    at bigint NOT NULL,
    app_id text,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    address text,
    request_id text,
    changes text NOT NULL
  );
  CREATE INDEX audit_log_app ON audit_log (app_id, id);
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
  CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  `,
  // 19: an ingested request's query parameters (JSON text), which content filters see as query.
  `
  ALTER TABLE messages ADD COLUMN query text;
  `,
  // 20: history partitioned by day (see partitions.ts). The ids carry their creation time (domain/ids.ts), so messages
  // and attempts are range-partitioned on their primary key: a lookup by id reads one partition, and the key needs no
  // extra column. Deliveries, the queue, stay one table: the claim reads them many times over, and planning it over a
  // partition per day cost more than the history it would have kept out of the queue's indexes (measured: see
  // BENCHMARKS.md); retention deletes a day's deliveries by id range (a delivery's id carries its message's time)
  // before it drops the day's messages. The rows already there stay where they are, as a "legacy" partition covering
  // everything before the day after this migration, dropped whole once that day has passed the retention horizon; a
  // default partition takes any row no day partition covers yet, so an insert never fails. The foreign keys into
  // messages and deliveries go (PostgreSQL cannot drop a partition others point into); deleting an app or an endpoint
  // still cascades to messages and attempts through their app_id and endpoint_id.
  `
  CREATE FUNCTION hookd_id_time(ms bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> (5 * (9 - i))) & 31)::int + 1, 1), '' ORDER BY i)
    FROM generate_series(0, 9) AS i
  $$;
  -- Where the day partitions begin: schema, not a setting, so migrate-store neither copies nor counts it.
  CREATE TABLE history_partitioning (partitioned_from bigint NOT NULL);
  ALTER TABLE deliveries DROP CONSTRAINT deliveries_message_id_fkey;
  ALTER TABLE attempts DROP CONSTRAINT attempts_delivery_id_fkey;
  DO $$
  DECLARE
    -- The legacy partitions end where the first day partition begins: the start of tomorrow (UTC).
    legacy_end bigint := (floor(extract(epoch FROM clock_timestamp()) / 86400)::bigint + 1) * 86400000;
    t record;
    idx record;
  BEGIN
    FOR t IN SELECT * FROM (VALUES ('messages', 'msg'), ('attempts', 'atm')) AS v(name, prefix) LOOP
      FOR idx IN SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = t.name LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', idx.indexname, idx.indexname || '_legacy');
      END LOOP;
      EXECUTE format('ALTER TABLE %I RENAME TO %I', t.name, t.name || '_legacy');
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (id)',
        t.name, t.name || '_legacy');
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id)', t.name, t.name || '_pkey');
      EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t.name || '_default', t.name);
      -- Rows whose ids sort at or past the bound (made by a clock ahead, or not made by hookd) go to the default one.
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE id >= %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
        t.name || '_legacy', t.prefix || '_' || hookd_id_time(legacy_end), t.name);
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', t.name, t.name || '_legacy',
        t.prefix || '_' || hookd_id_time(legacy_end));
    END LOOP;
    INSERT INTO history_partitioning (partitioned_from) VALUES (legacy_end);
  END $$;
  ALTER TABLE messages ADD FOREIGN KEY (app_id) REFERENCES apps(id) ON DELETE CASCADE;
  -- Attempts of an endpoint that is gone exist only where foreign keys were bypassed (its deliveries' cascade took them).
  DELETE FROM attempts a WHERE a.endpoint_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = a.endpoint_id);
  ALTER TABLE attempts ADD FOREIGN KEY (endpoint_id) REFERENCES endpoints(id) ON DELETE CASCADE;
  CREATE INDEX messages_by_app ON messages (app_id, id);
  CREATE INDEX messages_unpurged_by_time ON messages (created_at) WHERE payload <> '';
  CREATE INDEX attempts_by_delivery ON attempts (delivery_id, number);
  CREATE INDEX attempts_by_endpoint ON attempts (endpoint_id, started_at);
  CREATE INDEX attempts_by_start ON attempts (started_at);
  `,
  // 21: message search. Content criteria are jsonb containment (@>) on the payload as JSON, through one GIN index
  // that covers every path; a payload that is not JSON (a raw inbound body, a purged payload) is null there, never an
  // error that would fail its insert. Lookups by Idempotency-Key outlive the key's window.
  `
  CREATE FUNCTION hookd_payload_json(payload text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
  BEGIN
    IF left(payload, 1) <> '{' THEN RETURN NULL; END IF;
    RETURN payload::jsonb;
  EXCEPTION WHEN others THEN RETURN NULL;
  END $$;
  CREATE INDEX messages_payload_search ON messages USING gin (hookd_payload_json(payload) jsonb_path_ops);
  CREATE INDEX messages_by_idempotency_key ON messages (app_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  `,
  // 22: response headers and the transformed body sent, with each attempt (see the SQLite migration of the same purpose).
  `
  ALTER TABLE attempts ADD COLUMN response_headers json;
  ALTER TABLE attempts ADD COLUMN request_body text;
  CREATE INDEX attempts_errors_by_endpoint ON attempts (endpoint_id, started_at) WHERE error_code IS NOT NULL;
  `,
  // 23: recovery jobs. A job scans the deliveries in its filter's status in id order past its high-water mark
  // (cursor), one batch per transaction, and records each delivery it re-queues, so none is re-queued twice by one job
  // and its outcome can be told; the lease lets one process at a time run it and another take over if that one dies.
  `
  CREATE TABLE recovery_jobs (
    id text COLLATE "C" PRIMARY KEY,
    app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    filter text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'cancelled')),
    total bigint NOT NULL,
    requeued bigint NOT NULL,
    scanned bigint NOT NULL,
    cursor text COLLATE "C" NOT NULL DEFAULT '',
    lease_token text,
    lease_expires_at bigint,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    finished_at bigint
  );
  CREATE INDEX recovery_jobs_by_app ON recovery_jobs (app_id, id);
  CREATE INDEX recovery_jobs_running ON recovery_jobs (id) WHERE status = 'running';
  CREATE TABLE recovery_deliveries (
    job_id text COLLATE "C" NOT NULL REFERENCES recovery_jobs(id) ON DELETE CASCADE,
    delivery_id text COLLATE "C" NOT NULL,
    attempts_before integer NOT NULL,
    PRIMARY KEY (job_id, delivery_id)
  );
  CREATE INDEX deliveries_by_app_status ON deliveries (app_id, status, id);
  `,
  // 24: A test event, sent to one chosen endpoint (see the SQLite migration of the same name).
  `
  ALTER TABLE messages ADD COLUMN test boolean NOT NULL DEFAULT false;
  `,
  // 25: The latest refusals of each source with their reason, at most 100 a source (see the SQLite migration).
  `
  CREATE TABLE source_refusals (
    source_id text NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    code text NOT NULL,
    message text NOT NULL,
    at bigint NOT NULL
  );
  CREATE INDEX source_refusals_latest ON source_refusals (source_id, at);
  `,
  // 26: An app's portal branding (JSON text), null for hookd's own look.
  `
  ALTER TABLE apps ADD COLUMN portal_branding text;
  `,
  // 27: a paused endpoint's deliveries are held (pending, not attempted) until it is resumed.
  `
  ALTER TABLE endpoints ADD COLUMN paused_at bigint;
  `,
  // 28: an app's endpoints_version changes with every change to what its fan-out reads (an endpoint added, removed,
  // enabled or disabled, its event types or filter), in the same transaction: a publish fans out from the endpoints it
  // read earlier and its insert checks the version, instead of reading them again each time.
  `
  ALTER TABLE apps ADD COLUMN endpoints_version bigint NOT NULL DEFAULT 0;
  CREATE FUNCTION hookd_fan_out_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE apps SET endpoints_version = endpoints_version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.app_id ELSE NEW.app_id END;
    RETURN NULL;
  END $$;
  CREATE TRIGGER endpoints_fan_out_changed AFTER INSERT OR DELETE OR UPDATE OF disabled_at, events, filter ON endpoints
    FOR EACH ROW EXECUTE FUNCTION hookd_fan_out_changed();
  `,
  // 29: a lease writes no index entry. It used to move next_attempt_at to its end and set lease_token, both indexed,
  // so every lease wrote a new entry into each index of deliveries. Now it sets lease_until, which no index reads, and
  // leaves next_attempt_at alone: with room left on the row's page (the fillfactor), the lease is a HOT update. A
  // delivery is due when next_attempt_at and any lease_until have passed. Only an endpoint with limits counts its
  // leases, through an index of its own (lease_limited, set by its leases alone). Leases taken before this migration
  // are carried over as such.
  `
  ALTER TABLE deliveries ADD COLUMN lease_until bigint;
  ALTER TABLE deliveries ADD COLUMN lease_limited boolean NOT NULL DEFAULT false;
  UPDATE deliveries d SET lease_until = d.next_attempt_at,
    lease_limited = (e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.fifo)
  FROM endpoints e WHERE e.id = d.endpoint_id AND d.status = 'pending' AND d.lease_token IS NOT NULL;
  DROP INDEX deliveries_leased;
  CREATE INDEX deliveries_leased ON deliveries (endpoint_id) WHERE lease_limited;
  ALTER TABLE deliveries SET (fillfactor = 70);
  `,
];

/** The schema version the database is at, and the one this code brings it to. */
export async function schemaVersion(db: pg.Pool): Promise<{ applied: number; expected: number }> {
  const { rows } = await db.query<{ applied: number }>('SELECT coalesce(max(version), 0) AS applied FROM hookd_migrations');
  return { applied: rows[0]?.applied ?? 0, expected: MIGRATIONS.length };
}

// Any fixed number works, as long as nothing else in the database takes the same advisory lock.
const MIGRATION_LOCK_KEY = '7203516249812';

/**
 * Brings the schema up to date, or up to version `upTo` (tests of one migration stop just before it), in one
 * transaction. Safe when several processes start at once: they take turns on an advisory lock held by the
 * transaction, which works through a pooler in transaction mode too (a session lock would not).
 */
export async function migrate(pool: pg.Pool, upTo = MIGRATIONS.length): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await applyPending(client, upTo);
  });
}

async function applyPending(client: pg.PoolClient, upTo: number): Promise<void> {
  await client.query('CREATE TABLE IF NOT EXISTS hookd_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
  const { rows } = await client.query<{ current: number }>('SELECT coalesce(max(version), 0) AS current FROM hookd_migrations');
  const current = rows[0]?.current ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database is at schema version ${current}, newer than this hookd (${MIGRATIONS.length})`);
  }
  for (let version = current; version < upTo; version++) {
    await client.query(MIGRATIONS[version] as string);
    await client.query('INSERT INTO hookd_migrations (version, applied_at) VALUES ($1, $2)', [version + 1, Date.now()]);
  }
}
