import type pg from 'pg';
import type { AuditEntry, DeliveryStatus, Endpoint, EndpointCredentials } from '../../domain/index.js';
import type { EndpointChange, EndpointPatch, Page, PageQuery, SecretRotation } from '../admin-store.js';
import { credentialsText, hasCredentials, toCredentials } from '../credential-rows.js';
import { StoreLimitError } from '../errors.js';
import { type Audited, type AuditedTransaction, noted } from './audit-log.js';
import { DUE_CHANNEL } from './listen.js';
import { type Queryable, retryingDeadlocks } from './pool.js';
import { type EndpointRow, toEndpoint, toPage } from './rows.js';

const INSERT = `
  INSERT INTO endpoints (id, app_id, url, description, events, signature_scheme, secret, previous_secret,
    previous_secret_expires_at, headers, disabled_at, disabled_reason, created_at, updated_at, rate_limit, max_in_flight,
    fifo, send_trace_context, transformation, filter, paused_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`;
const BY_ID = 'SELECT * FROM endpoints WHERE app_id = $1 AND id = $2';
const UPSERT_CREDENTIALS = `
  INSERT INTO endpoint_credentials (endpoint_id, credentials, updated_at) VALUES ($1, $2, $3)
  ON CONFLICT (endpoint_id) DO UPDATE SET credentials = excluded.credentials, updated_at = excluded.updated_at`;
const REMOVE_CREDENTIALS = 'DELETE FROM endpoint_credentials WHERE endpoint_id = $1';
const CREDENTIALS_OF = 'SELECT endpoint_id, credentials FROM endpoint_credentials WHERE endpoint_id = ANY($1::text[])';
// Creating endpoints of one app takes turns on the app's row, so the count stays true until the insert commits. NO KEY
// UPDATE leaves the row to the foreign-key checks of publishes meanwhile.
const LOCK_APP = 'SELECT id FROM apps WHERE id = $1 FOR NO KEY UPDATE';
const COUNT_OF_APP = 'SELECT count(*)::int AS n FROM endpoints WHERE app_id = $1';
const PAGE = 'SELECT * FROM endpoints WHERE app_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3';
const OF_APPS = `
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY app_id ORDER BY id DESC) AS newest_rank FROM endpoints
    WHERE app_id = ANY($1::text[])
  ) AS ranked WHERE newest_rank <= $2 ORDER BY id`;
const UPDATE = `
  UPDATE endpoints SET
    url = coalesce($3, url),
    description = coalesce($4, description),
    events = CASE WHEN $5::boolean THEN $6::text[] ELSE events END,
    signature_scheme = coalesce($7, signature_scheme),
    disabled_at = CASE WHEN $8::boolean THEN NULL ELSE disabled_at END,
    disabled_reason = CASE WHEN $8::boolean THEN NULL ELSE disabled_reason END,
    failing_since = CASE WHEN $8::boolean THEN NULL WHEN NOT $21::boolean AND paused_at IS NOT NULL
      THEN failing_since + least($9 - paused_at, $9 - failing_since) ELSE failing_since END,
    paused_at = CASE WHEN $21::boolean THEN coalesce(paused_at, $9) WHEN NOT $21::boolean THEN NULL ELSE paused_at END,
    updated_at = $9,
    headers = coalesce($10::json, headers),
    rate_limit = CASE WHEN $11::boolean THEN $12::int ELSE rate_limit END,
    max_in_flight = CASE WHEN $13::boolean THEN $14::int ELSE max_in_flight END,
    fifo = coalesce($15::boolean, fifo),
    send_trace_context = coalesce($16::boolean, send_trace_context),
    transformation = CASE WHEN $17::boolean THEN $18::text ELSE transformation END,
    filter = CASE WHEN $19::boolean THEN $20::text ELSE filter END
  WHERE app_id = $1 AND id = $2
  RETURNING *`;
const REMOVE = 'DELETE FROM endpoints WHERE app_id = $1 AND id = $2';
// The right-hand sides read the row as it was: the current secret becomes the previous one.
const ROTATE = `
  UPDATE endpoints SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3,
    signature_scheme = coalesce($6, signature_scheme), updated_at = $5
  WHERE app_id = $1 AND id = $2
  RETURNING *`;
// One statement: the endpoint is disabled and its idle pending deliveries fail together, or neither happens.
// It answers whether it disabled the endpoint: of two racing calls, only one does.
const DISABLE = `
  WITH disabled AS (
    UPDATE endpoints SET disabled_at = $3, disabled_reason = $2, updated_at = $3
    WHERE id = $1 AND disabled_at IS NULL
    RETURNING id
  ),
  failed AS (
    UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'endpoint disabled: ' || $2, updated_at = $3
    WHERE endpoint_id IN (SELECT id FROM disabled) AND status = 'pending' AND lease_token IS NULL
  )
  SELECT id FROM disabled`;
// The same, for an endpoint that failed too long: only while its run of failures is still the one judged.
const DISABLE_FAILING = `
  WITH disabled AS (
    UPDATE endpoints SET disabled_at = $3, disabled_reason = $2, updated_at = $3
    WHERE id = $1 AND disabled_at IS NULL AND failing_since = $4
    RETURNING id
  ),
  failed AS (
    UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'endpoint disabled: ' || $2, updated_at = $3
    WHERE endpoint_id IN (SELECT id FROM disabled) AND status = 'pending' AND lease_token IS NULL
  )
  SELECT id FROM disabled`;
const COUNTS = 'SELECT status, count(*) AS n FROM deliveries WHERE endpoint_id = $1 GROUP BY status';

/**
 * Disables an endpoint and fails its pending deliveries that are not in flight; recording a 410 attempt uses it too.
 * True when this call disabled it.
 */
export async function disableEndpoint(db: Queryable, id: string, reason: string, now: number): Promise<boolean> {
  return ((await db.query(DISABLE, [id, reason, now])).rowCount ?? 0) > 0;
}

/** Disables an endpoint that has failed since `failingSince`, unless a success ended that run meanwhile; true if it did. */
export async function disableFailingEndpoint(
  db: Queryable,
  id: string,
  failingSince: number,
  reason: string,
  now: number,
): Promise<boolean> {
  return ((await db.query(DISABLE_FAILING, [id, reason, now, failingSince])).rowCount ?? 0) > 0;
}

async function updateRow(db: Queryable, appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
  const { rows } = await db.query<EndpointRow>(UPDATE, [
    appId,
    id,
    patch.url ?? null,
    patch.description ?? null,
    patch.events !== undefined,
    patch.events ?? null,
    patch.signatureScheme ?? null,
    patch.disabled === false,
    now,
    patch.headers ? JSON.stringify(patch.headers) : null,
    patch.rateLimit !== undefined,
    patch.rateLimit ?? null,
    patch.maxInFlight !== undefined,
    patch.maxInFlight ?? null,
    patch.fifo ?? null,
    patch.sendTraceContext ?? null,
    patch.transformation !== undefined,
    patch.transformation ?? null,
    patch.filter !== undefined,
    patch.filter ? JSON.stringify(patch.filter) : null,
    patch.paused ?? null,
  ]);
  // Resumed: its held deliveries are due, for workers in every process (sent when the transaction commits).
  if (rows[0] && patch.paused === false) await db.query(`NOTIFY ${DUE_CHANNEL}`);
  return rows[0] ? toEndpoint(rows[0]) : null;
}

async function rotateRow(
  db: Queryable,
  appId: string,
  id: string,
  rotation: SecretRotation,
  now: number,
): Promise<Endpoint | null> {
  const { secret, previousExpiresAt, signatureScheme = null } = rotation;
  const { rows } = await db.query<EndpointRow>(ROTATE, [appId, id, secret, previousExpiresAt, now, signatureScheme]);
  return rows[0] ? toEndpoint(rows[0]) : null;
}

/** Inserts the endpoint, counting nothing: creating a source's destinations uses it on its transaction's client. */
async function writeCredentials(db: Queryable, endpointId: string, credentials: EndpointCredentials, now: number) {
  if (!hasCredentials(credentials)) await db.query(REMOVE_CREDENTIALS, [endpointId]);
  else await db.query(UPSERT_CREDENTIALS, [endpointId, credentialsText(credentials), now]);
}

export async function insertEndpoint(db: Queryable, endpoint: Endpoint): Promise<void> {
  await db.query(INSERT, [
    endpoint.id,
    endpoint.appId,
    endpoint.url,
    endpoint.description,
    endpoint.events,
    endpoint.signatureScheme,
    endpoint.secret,
    endpoint.previousSecret,
    endpoint.previousSecretExpiresAt,
    JSON.stringify(endpoint.headers),
    endpoint.disabledAt,
    endpoint.disabledReason,
    endpoint.createdAt,
    endpoint.updatedAt,
    endpoint.rateLimit,
    endpoint.maxInFlight,
    endpoint.fifo,
    endpoint.sendTraceContext,
    endpoint.transformation,
    endpoint.filter === null ? null : JSON.stringify(endpoint.filter),
    endpoint.pausedAt,
  ]);
}

export function endpointQueries(db: pg.Pool, audited: Audited, transaction: AuditedTransaction) {
  return {
    async createEndpoint(
      endpoint: Endpoint,
      maxPerApp?: number,
      credentials?: EndpointCredentials,
      audit?: AuditEntry,
    ): Promise<Endpoint> {
      if (maxPerApp === undefined && credentials === undefined && audit === undefined) {
        await insertEndpoint(db, endpoint);
        return endpoint;
      }
      await transaction(audit, async (client) => {
        if (maxPerApp !== undefined) {
          await client.query(LOCK_APP, [endpoint.appId]);
          const { rows } = await client.query<{ n: number }>(COUNT_OF_APP, [endpoint.appId]);
          if ((rows[0]?.n ?? 0) >= maxPerApp) throw new StoreLimitError('endpoints', maxPerApp);
        }
        await insertEndpoint(client, endpoint);
        if (credentials) await writeCredentials(client, endpoint.id, credentials, endpoint.createdAt);
      });
      return endpoint;
    },
    async endpointCredentials(endpointIds: readonly string[]): Promise<Map<string, EndpointCredentials>> {
      if (endpointIds.length === 0) return new Map();
      const { rows } = await db.query<{ endpoint_id: string; credentials: string }>(CREDENTIALS_OF, [endpointIds]);
      return new Map(rows.map((row) => [row.endpoint_id, toCredentials(row.credentials)]));
    },
    async findEndpoint(appId: string, id: string): Promise<Endpoint | null> {
      const { rows } = await db.query<EndpointRow>(BY_ID, [appId, id]);
      return rows[0] ? toEndpoint(rows[0]) : null;
    },
    async listEndpoints(appId: string, query: PageQuery): Promise<Page<Endpoint>> {
      const { rows } = await db.query<EndpointRow>(PAGE, [appId, query.after ?? null, query.limit + 1]);
      return toPage(rows, query.limit, toEndpoint);
    },
    async endpointsOfApps(appIds: string[], perApp: number): Promise<Record<string, Endpoint[]>> {
      const result: Record<string, Endpoint[]> = {};
      if (appIds.length === 0) return result;
      const { rows } = await db.query<EndpointRow>(OF_APPS, [appIds, perApp]);
      for (const row of rows) {
        const endpoints = result[row.app_id] ?? [];
        endpoints.push(toEndpoint(row));
        result[row.app_id] = endpoints;
      }
      return result;
    },
    async updateEndpoint(
      appId: string,
      id: string,
      patch: EndpointPatch,
      now: number,
      audit?: AuditEntry,
    ): Promise<Endpoint | null> {
      return audited(audit, (client) => updateRow(client, appId, id, patch, now));
    },
    async changeEndpoint(appId: string, id: string, c: EndpointChange, now: number): Promise<Endpoint | null> {
      // Each part is audited as its own call would be; a part that throws takes back the ones before it.
      return transaction(undefined, async (client) => {
        // Locked until the commit: a delete meanwhile waits, and finds what this wrote.
        if ((await client.query(`${BY_ID} FOR UPDATE`, [appId, id])).rowCount === 0) return null;
        const { credentials, rotation, disable: off } = c;
        if (credentials) await noted(client, credentials.audit, await writeCredentials(client, id, credentials.value, now));
        if (rotation) await noted(client, rotation.audit, await rotateRow(client, appId, id, rotation, now));
        if (off) await noted(client, off.audit, await disableEndpoint(client, id, off.reason, now));
        return noted(client, c.audit, await updateRow(client, appId, id, c.patch, now));
      });
    },
    async deleteEndpoint(appId: string, id: string, audit?: AuditEntry): Promise<boolean> {
      return retryingDeadlocks(() =>
        audited(audit, async (client) => ((await client.query(REMOVE, [appId, id])).rowCount ?? 0) > 0),
      );
    },
    async rotateEndpointSecret(
      appId: string,
      id: string,
      secret: string,
      previousExpiresAt: number,
      now: number,
      audit?: AuditEntry,
    ): Promise<Endpoint | null> {
      return audited(audit, (client) => rotateRow(client, appId, id, { secret, previousExpiresAt }, now));
    },
    async disableEndpoint(id: string, reason: string, now: number, audit?: AuditEntry): Promise<void> {
      await audited(audit, (client) => disableEndpoint(client, id, reason, now));
    },
    async countDeliveriesByStatus(endpointId: string): Promise<Record<DeliveryStatus, number>> {
      const result: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
      const { rows } = await db.query<{ status: DeliveryStatus; n: number }>(COUNTS, [endpointId]);
      for (const { status, n } of rows) result[status] = n;
      return result;
    },
  };
}
