import type Database from 'better-sqlite3';
import type { AuditEntry, DeliveryStatus, Endpoint, EndpointCredentials } from '../../domain/index.js';
import type { EndpointChange, EndpointPatch, Page, PageQuery, SecretRotation } from '../admin-store.js';
import { credentialsText, hasCredentials, toCredentials } from '../credential-rows.js';
import { StoreLimitError } from '../errors.js';
import type { Audited } from './audit-log.js';
import { type EndpointRow, toEndpoint, toPage } from './rows.js';

export function endpointQueries(db: Database.Database, audited: Audited) {
  const insert = db.prepare(`
    INSERT INTO endpoints (id, app_id, url, description, events, signature_scheme, secret, previous_secret,
      previous_secret_expires_at, headers, disabled_at, disabled_reason, rate_limit, max_in_flight, fifo,
      send_trace_context, created_at, updated_at, transformation, filter, paused_at)
    VALUES (@id, @appId, @url, @description, @events, @signatureScheme, @secret, @previousSecret,
      @previousSecretExpiresAt, @headers, @disabledAt, @disabledReason, @rateLimit, @maxInFlight, @fifo,
      @sendTraceContext, @createdAt, @updatedAt, @transformation, @filter, @pausedAt)`);
  const byId = db.prepare<[string, string], EndpointRow>('SELECT * FROM endpoints WHERE app_id = ? AND id = ?');
  const countOfApp = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM endpoints WHERE app_id = ?');
  /** Call inside a transaction; creating a source's destinations uses it too. */
  function insertEndpoint(endpoint: Endpoint): void {
    insert.run({
      ...endpoint,
      events: endpoint.events ? JSON.stringify(endpoint.events) : null,
      headers: JSON.stringify(endpoint.headers),
      fifo: endpoint.fifo ? 1 : 0,
      sendTraceContext: endpoint.sendTraceContext ? 1 : 0,
      filter: endpoint.filter === null ? null : JSON.stringify(endpoint.filter),
    });
  }
  const upsertCredentials = db.prepare(`
    INSERT INTO endpoint_credentials (endpoint_id, credentials, updated_at) VALUES (@endpointId, @credentials, @now)
    ON CONFLICT (endpoint_id) DO UPDATE SET credentials = excluded.credentials, updated_at = excluded.updated_at`);
  const removeCredentials = db.prepare('DELETE FROM endpoint_credentials WHERE endpoint_id = ?');
  const credentialsOf = db.prepare<[string], { endpoint_id: string; credentials: string }>(
    'SELECT endpoint_id, credentials FROM endpoint_credentials WHERE endpoint_id IN (SELECT value FROM json_each(?))',
  );
  function writeCredentials(endpointId: string, credentials: EndpointCredentials, now: number): void {
    if (!hasCredentials(credentials)) removeCredentials.run(endpointId);
    else upsertCredentials.run({ endpointId, credentials: credentialsText(credentials), now });
  }
  // Immediate: the count and the insert hold the write lock together, so two processes cannot both take the last place.
  const insertWithin = db.transaction((endpoint: Endpoint, maxPerApp: number, credentials?: EndpointCredentials) => {
    if ((countOfApp.get(endpoint.appId)?.n ?? 0) >= maxPerApp) throw new StoreLimitError('endpoints', maxPerApp);
    insertEndpoint(endpoint);
    if (credentials) writeCredentials(endpoint.id, credentials, endpoint.createdAt);
  });
  const page = db.prepare<{ appId: string; after: string | null; n: number }, EndpointRow>(
    'SELECT * FROM endpoints WHERE app_id = @appId AND (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT @n',
  );
  const ofApps = db.prepare<{ appIds: string; perApp: number }, EndpointRow>(`
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY app_id ORDER BY id DESC) AS newest_rank FROM endpoints
      WHERE app_id IN (SELECT value FROM json_each(@appIds))
    ) WHERE newest_rank <= @perApp ORDER BY id`);
  const update = db.prepare(`
    UPDATE endpoints SET
      url = coalesce(@url, url),
      description = coalesce(@description, description),
      events = CASE WHEN @setEvents THEN @events ELSE events END,
      filter = CASE WHEN @setFilter THEN @filter ELSE filter END,
      signature_scheme = coalesce(@signatureScheme, signature_scheme),
      headers = coalesce(@headers, headers),
      transformation = CASE WHEN @setTransformation THEN @transformation ELSE transformation END,
      rate_limit = CASE WHEN @setRateLimit THEN @rateLimit ELSE rate_limit END,
      max_in_flight = CASE WHEN @setMaxInFlight THEN @maxInFlight ELSE max_in_flight END,
      fifo = coalesce(@fifo, fifo),
      send_trace_context = coalesce(@sendTraceContext, send_trace_context),
      disabled_at = CASE WHEN @enable THEN NULL ELSE disabled_at END,
      disabled_reason = CASE WHEN @enable THEN NULL ELSE disabled_reason END,
      failing_since = CASE WHEN @enable THEN NULL WHEN @pause = 0 AND paused_at IS NOT NULL
        THEN failing_since + min(@now - paused_at, @now - failing_since) ELSE failing_since END,
      paused_at = CASE @pause WHEN 1 THEN coalesce(paused_at, @now) WHEN 0 THEN NULL ELSE paused_at END,
      updated_at = @now
    WHERE app_id = @appId AND id = @id`);
  const remove = db.prepare('DELETE FROM endpoints WHERE app_id = ? AND id = ?');
  // The right-hand sides read the row as it was: the current secret becomes the previous one.
  const rotate = db.prepare(`
    UPDATE endpoints SET previous_secret = secret, previous_secret_expires_at = @previousExpiresAt, secret = @secret,
      signature_scheme = coalesce(@scheme, signature_scheme), updated_at = @now
    WHERE app_id = @appId AND id = @id`);
  const disable = db.prepare(
    'UPDATE endpoints SET disabled_at = @now, disabled_reason = @reason, updated_at = @now WHERE id = @id AND disabled_at IS NULL',
  );
  const failPending = db.prepare(`
    UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = @reason, updated_at = @now
    WHERE endpoint_id = @id AND status = 'pending' AND lease_token IS NULL`);
  const counts = db.prepare<[string], { status: DeliveryStatus; n: number }>(
    'SELECT status, count(*) AS n FROM deliveries WHERE endpoint_id = ? GROUP BY status',
  );

  /** Call inside a transaction; recording a 410 attempt uses it too. True when this call disabled the endpoint. */
  function disableNow(id: string, reason: string, now: number): boolean {
    if (disable.run({ id, reason, now }).changes === 0) return false;
    failPending.run({ id, reason: `endpoint disabled: ${reason}`, now });
    return true;
  }

  function updateNow(appId: string, id: string, patch: EndpointPatch, now: number): Endpoint | null {
    update.run({
      appId,
      id,
      now,
      url: patch.url ?? null,
      description: patch.description ?? null,
      setEvents: patch.events !== undefined ? 1 : 0,
      events: patch.events ? JSON.stringify(patch.events) : null,
      setFilter: patch.filter !== undefined ? 1 : 0,
      filter: patch.filter ? JSON.stringify(patch.filter) : null,
      signatureScheme: patch.signatureScheme ?? null,
      headers: patch.headers ? JSON.stringify(patch.headers) : null,
      setTransformation: patch.transformation !== undefined ? 1 : 0,
      transformation: patch.transformation ?? null,
      setRateLimit: patch.rateLimit !== undefined ? 1 : 0,
      rateLimit: patch.rateLimit ?? null,
      setMaxInFlight: patch.maxInFlight !== undefined ? 1 : 0,
      maxInFlight: patch.maxInFlight ?? null,
      fifo: patch.fifo === undefined ? null : patch.fifo ? 1 : 0,
      sendTraceContext: patch.sendTraceContext === undefined ? null : patch.sendTraceContext ? 1 : 0,
      enable: patch.disabled === false ? 1 : 0,
      pause: patch.paused === undefined ? null : patch.paused ? 1 : 0,
    });
    const row = byId.get(appId, id);
    return row ? toEndpoint(row) : null;
  }

  function rotateNow(appId: string, id: string, rotation: SecretRotation, now: number): Endpoint | null {
    const { secret, previousExpiresAt, signatureScheme: scheme = null } = rotation;
    if (rotate.run({ appId, id, secret, previousExpiresAt, now, scheme }).changes === 0) return null;
    return toEndpoint(byId.get(appId, id) as EndpointRow);
  }

  // Each part is audited as its own call would be; a part that throws takes back the ones before it.
  const change = db.transaction((appId: string, id: string, c: EndpointChange, now: number): Endpoint | null => {
    if (!byId.get(appId, id)) return null;
    const { credentials, rotation, disable: off } = c;
    if (credentials) audited(credentials.audit, () => writeCredentials(id, credentials.value, now));
    if (rotation) audited(rotation.audit, () => rotateNow(appId, id, rotation, now));
    if (off) audited(off.audit, () => disableNow(id, off.reason, now));
    return audited(c.audit, () => updateNow(appId, id, c.patch, now));
  });

  return {
    disableNow,
    insertEndpoint,
    async createEndpoint(
      endpoint: Endpoint,
      maxPerApp = Number.POSITIVE_INFINITY,
      credentials?: EndpointCredentials,
      audit?: AuditEntry,
    ): Promise<Endpoint> {
      audited(audit, () => insertWithin.immediate(endpoint, maxPerApp, credentials));
      return endpoint;
    },
    async endpointCredentials(endpointIds: readonly string[]): Promise<Map<string, EndpointCredentials>> {
      const rows = endpointIds.length === 0 ? [] : credentialsOf.all(JSON.stringify(endpointIds));
      return new Map(rows.map((row) => [row.endpoint_id, toCredentials(row.credentials)]));
    },
    async findEndpoint(appId: string, id: string): Promise<Endpoint | null> {
      const row = byId.get(appId, id);
      return row ? toEndpoint(row) : null;
    },
    async listEndpoints(appId: string, query: PageQuery): Promise<Page<Endpoint>> {
      return toPage(page.all({ appId, after: query.after ?? null, n: query.limit + 1 }), query.limit, toEndpoint);
    },
    async endpointsOfApps(appIds: string[], perApp: number): Promise<Record<string, Endpoint[]>> {
      const result: Record<string, Endpoint[]> = {};
      if (appIds.length === 0) return result;
      for (const row of ofApps.all({ appIds: JSON.stringify(appIds), perApp })) {
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
      return audited(audit, () => updateNow(appId, id, patch, now));
    },
    async changeEndpoint(appId: string, id: string, c: EndpointChange, now: number): Promise<Endpoint | null> {
      return change.immediate(appId, id, c, now);
    },
    async deleteEndpoint(appId: string, id: string, audit?: AuditEntry): Promise<boolean> {
      return audited(audit, () => remove.run(appId, id).changes > 0);
    },
    async rotateEndpointSecret(
      appId: string,
      id: string,
      secret: string,
      previousExpiresAt: number,
      now: number,
      audit?: AuditEntry,
    ): Promise<Endpoint | null> {
      return audited(audit, () => rotateNow(appId, id, { secret, previousExpiresAt }, now));
    },
    async disableEndpoint(id: string, reason: string, now: number, audit?: AuditEntry): Promise<void> {
      audited(audit, () => db.transaction(() => disableNow(id, reason, now)).immediate());
    },
    async countDeliveriesByStatus(endpointId: string): Promise<Record<DeliveryStatus, number>> {
      const result: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
      for (const { status, n } of counts.all(endpointId)) result[status] = n;
      return result;
    },
  };
}
