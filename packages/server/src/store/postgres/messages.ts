import type pg from 'pg';
import { type Message, newId, setNewest } from '../../domain/index.js';
import type { MessageFilter, MessagePage, MessagePageQuery, PublishInput, PublishResult } from '../admin-store.js';
import { isStoreUnavailable } from '../errors.js';
import { type FanOut, fanOut } from '../fan-out.js';
import { groupCommit } from '../group-commit.js';
import { chosenWake, DUE_CHANNEL } from './listen.js';
import { searchMessages } from './message-search.js';
import { inTransaction, prepared, type Queryable } from './pool.js';
import { type MessageRow, queryColumn, toMessage } from './rows.js';

// Takes the key unless a live one holds it. The conflicting row stays locked either way, so of two
// publishes racing with one key, the second waits for the first to commit and then sees its message.
const TAKE_KEY = `
  INSERT INTO idempotency_keys (app_id, key, message_id, expires_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (app_id, key) DO UPDATE SET message_id = excluded.message_id, expires_at = excluded.expires_at
  WHERE idempotency_keys.expires_at <= $5
  RETURNING message_id`;
const FIRST_MESSAGE = `
  SELECT m.* FROM idempotency_keys k JOIN messages m ON m.app_id = k.app_id AND m.id = k.message_id
  WHERE k.app_id = $1 AND k.key = $2`;
const REASSIGN_KEY = 'UPDATE idempotency_keys SET message_id = $3, expires_at = $4 WHERE app_id = $1 AND key = $2';
const INSERT_MESSAGE = `
  INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at, forward_headers, trace_parent, trace_state,
    query, test)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;
// Each app's enabled endpoints, and the version of its endpoints they are (an app without any has one row of nulls).
const ENABLED_ENDPOINTS = prepared(
  'enabled_endpoints',
  `SELECT a.id AS app_id, a.endpoints_version AS version, e.id, e.events, e.filter
   FROM apps a LEFT JOIN endpoints e ON e.app_id = a.id AND e.disabled_at IS NULL
   WHERE a.id = ANY($1::text[])`,
);
// Publishes without an Idempotency-Key, made together: every message and its deliveries in one statement, committed
// together, with one notification for one worker ($13, null when nothing is due; notifying transactions take turns
// to commit). Fanned out from endpoints read earlier, it writes nothing (and answers fresh = false) unless each app's
// endpoints_version ($18, $19) is still the one they were read at; without versions, it writes.
const INSERT_MESSAGES_WITH_DELIVERIES = prepared(
  'publish_many',
  `
  WITH fresh AS (
    SELECT $18::text[] IS NULL OR count(*) = cardinality($18::text[]) AS fresh
    FROM unnest($18::text[], $19::bigint[]) AS v(app_id, version)
    JOIN apps a ON a.id = v.app_id AND a.endpoints_version = v.version
  ),
  message AS (
    INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at, forward_headers, trace_parent, trace_state,
      query, test)
    SELECT m.id, m.app_id, m.type, m.payload, NULL, m.created_at, m.forward_headers, m.trace_parent, m.trace_state, m.query,
      m.test
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $14::text[], $15::text[], $16::text[],
      $17::boolean[])
      AS m(id, app_id, type, payload, created_at, forward_headers, trace_parent, trace_state, query, test)
    WHERE (SELECT fresh FROM fresh)
  ),
  delivery AS (
    INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, next_attempt_at, skip_reason, created_at, updated_at)
    SELECT d.id, d.app_id, d.message_id, d.endpoint_id, CASE WHEN d.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, 0, 0,
      CASE WHEN d.skip_reason IS NULL THEN d.at END, d.skip_reason, d.at, d.at
    FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[])
      AS d(id, app_id, message_id, endpoint_id, at, skip_reason)
    WHERE (SELECT fresh FROM fresh)
  )
  SELECT fresh, CASE WHEN $13::text IS NOT NULL AND fresh THEN pg_notify('${DUE_CHANNEL}', $13) END FROM fresh`,
);
// A null reason makes a pending delivery, due at once; a reason makes a skipped one.
const INSERT_DELIVERIES = `
  INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, next_attempt_at, skip_reason, created_at, updated_at)
  SELECT d.id, $2, $3, d.endpoint_id, CASE WHEN d.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, 0, 0,
    CASE WHEN d.skip_reason IS NULL THEN $5::bigint END, d.skip_reason, $5, $5
  FROM unnest($1::text[], $4::text[], $6::text[]) AS d(id, endpoint_id, skip_reason)`;
const BY_ID = 'SELECT * FROM messages WHERE app_id = $1 AND id = $2';

/** The first message still answering for this Idempotency-Key, or null once the key is this message's. */
async function claimIdempotencyKey(client: pg.PoolClient, message: Message, windowMs: number): Promise<Message | null> {
  const key = message.idempotencyKey as string;
  const expiresAt = message.createdAt + windowMs;
  const taken = await client.query(TAKE_KEY, [message.appId, key, message.id, expiresAt, message.createdAt]);
  if (taken.rowCount === 1) return null;
  const { rows } = await client.query<MessageRow>(FIRST_MESSAGE, [message.appId, key]);
  if (rows[0]) return toMessage(rows[0]);
  // The live key's message is gone (deleted since): this publish takes the key over.
  await client.query(REASSIGN_KEY, [message.appId, key, message.id, expiresAt]);
  return null;
}

/** The provider's headers of an ingested request, as the JSON text the column keeps; null for a published event. */
const forwardHeaders = (message: Message): string | null => (message.headers ? JSON.stringify(message.headers) : null);

/** Most publishes one statement carries; a larger burst runs as several batches side by side on the pool. */
const MAX_PUBLISH_BATCH = 256;

interface EnabledEndpoint {
  id: string;
  events: string[] | null;
  filter: string | null;
}

/** An app's enabled endpoints, as of its endpoints_version `version`. */
interface AppEndpoints {
  version: number;
  endpoints: EnabledEndpoint[];
}

/** The enabled endpoints of every app the messages belong to, by app: one query for the whole batch. */
async function enabledEndpointsByApp(db: Queryable, messages: Message[]): Promise<Map<string, AppEndpoints>> {
  const appIds = [...new Set(messages.map((m) => m.appId))];
  type Row = { app_id: string; version: number; id: string | null; events: string[] | null; filter: string | null };
  const { rows } = await db.query<Row>(ENABLED_ENDPOINTS, [appIds]);
  const byApp = new Map<string, AppEndpoints>();
  for (const row of rows) {
    let app = byApp.get(row.app_id);
    if (!app) {
      app = { version: row.version, endpoints: [] };
      byApp.set(row.app_id, app);
    }
    if (row.id !== null) app.endpoints.push({ id: row.id, events: row.events, filter: row.filter });
  }
  return byApp;
}

/** Of `byApp`, the message's app's endpoints it goes to and those it skips. */
function targetsOf(byApp: Map<string, AppEndpoints>, input: PublishInput): FanOut {
  return fanOut(byApp.get(input.message.appId)?.endpoints ?? [], input.message, input.skip, input.only);
}

/** Apps whose endpoints this process keeps: a publish to any other reads its endpoints first. */
const APPS_KEPT = 10_000;

/**
 * The endpoints each app had when this process last read them: publishes fan out from these and the insert checks
 * they are still current, so a batch is one round trip; one that finds them changed reads them again.
 */
class KnownEndpoints {
  private readonly apps = new Map<string, AppEndpoints>();

  /** What is known of every app of `messages`, or null if one of them is not known. */
  of(messages: Message[]): Map<string, AppEndpoints> | null {
    const known = new Map<string, AppEndpoints>();
    for (const { appId } of messages) {
      const app = this.apps.get(appId);
      if (!app) return null;
      known.set(appId, app);
    }
    return known;
  }

  keep(byApp: Map<string, AppEndpoints>): void {
    for (const [appId, app] of byApp) setNewest(this.apps, appId, app, APPS_KEPT);
  }
}

/** The fan-out as the columns an insert of deliveries unnests: endpoint ids and skip reasons (null: pending). */
function deliveryColumns(targets: FanOut): { endpointIds: string[]; skipReasons: (string | null)[] } {
  return {
    endpointIds: [...targets.deliver, ...targets.skip.map((s) => s.id)],
    skipReasons: [...targets.deliver.map(() => null), ...targets.skip.map((s) => s.reason)],
  };
}

/** Publishes messages without an Idempotency-Key in one statement: all of them are committed, or none. */
async function publishMany(pool: pg.Pool, inputs: PublishInput[], known: KnownEndpoints): Promise<PublishResult[]> {
  const messages = inputs.map((i) => i.message);
  const endpoints = known.of(messages);
  if (endpoints !== null) {
    const published = await insertFannedOut(pool, inputs, endpoints, true);
    if (published !== null) return published;
  }
  // Read committed: reading the endpoints before the insert sees what reading them inside a transaction would.
  const read = await enabledEndpointsByApp(pool, messages);
  known.keep(read);
  return (await insertFannedOut(pool, inputs, read, false)) as PublishResult[];
}

/** Inserts the messages with their deliveries to `endpoints`; null, writing nothing, if `checked` finds them changed. */
async function insertFannedOut(
  pool: pg.Pool,
  inputs: PublishInput[],
  endpoints: Map<string, AppEndpoints>,
  checked: boolean,
): Promise<PublishResult[] | null> {
  const messages = inputs.map((i) => i.message);
  // One array per column: the shape unnest takes.
  const deliveries = {
    ids: [] as string[],
    appIds: [] as string[],
    messageIds: [] as string[],
    endpointIds: [] as string[],
    at: [] as number[],
    skipReasons: [] as (string | null)[],
  };
  let due = false;
  const results = inputs.map((input) => {
    const { message } = input;
    const targets = targetsOf(endpoints, input);
    const columns = deliveryColumns(targets);
    columns.endpointIds.forEach((endpointId, i) => {
      deliveries.ids.push(newId('dlv', message.createdAt));
      deliveries.appIds.push(message.appId);
      deliveries.messageIds.push(message.id);
      deliveries.endpointIds.push(endpointId);
      deliveries.at.push(message.createdAt);
      deliveries.skipReasons.push(columns.skipReasons[i] ?? null);
    });
    if (targets.deliver.length > 0) due = true;
    return { message, duplicate: false, deliveries: targets.deliver.length, skipped: targets.skip.length };
  });
  const versions = checked ? [...endpoints] : null;
  const { rows } = await pool.query<{ fresh: boolean }>(INSERT_MESSAGES_WITH_DELIVERIES, [
    messages.map((m) => m.id),
    messages.map((m) => m.appId),
    messages.map((m) => m.type),
    messages.map((m) => m.payload),
    messages.map((m) => m.createdAt),
    messages.map(forwardHeaders),
    deliveries.ids,
    deliveries.appIds,
    deliveries.messageIds,
    deliveries.endpointIds,
    deliveries.at,
    deliveries.skipReasons,
    due ? chosenWake() : null,
    messages.map((m) => m.trace?.traceparent ?? null),
    messages.map((m) => m.trace?.tracestate ?? null),
    messages.map(queryColumn),
    messages.map((m) => m.test === true),
    versions?.map(([appId]) => appId) ?? null,
    versions?.map(([, app]) => app.version) ?? null,
  ]);
  return rows[0]?.fresh ? results : null;
}

export function messageQueries(pool: pg.Pool) {
  // A publish alone runs as a batch of one: measured no slower than a statement of its own (about 1.1 ms a publish,
  // one caller at a time).
  const known = new KnownEndpoints();
  const publishWithoutKey = groupCommit<PublishInput, PublishResult>(
    { many: (inputs) => publishMany(pool, inputs, known) },
    { maxBatch: MAX_PUBLISH_BATCH, failsEveryCall: isStoreUnavailable, maxRunning: 2 },
  );
  return {
    async publishMessage(input: PublishInput): Promise<PublishResult> {
      const { message } = input;
      if (message.idempotencyKey === null) return publishWithoutKey(input);
      return inTransaction(pool, async (client) => {
        const first = await claimIdempotencyKey(client, message, input.idempotencyWindowMs);
        if (first) return { message: first, duplicate: true, deliveries: 0, skipped: 0 };
        await client.query(INSERT_MESSAGE, [
          message.id,
          message.appId,
          message.type,
          message.payload,
          message.idempotencyKey,
          message.createdAt,
          forwardHeaders(message),
          message.trace?.traceparent ?? null,
          message.trace?.tracestate ?? null,
          queryColumn(message),
          message.test === true,
        ]);
        const targets = targetsOf(await enabledEndpointsByApp(client, [message]), input);
        const { endpointIds, skipReasons } = deliveryColumns(targets);
        const result = { message, duplicate: false, deliveries: targets.deliver.length, skipped: targets.skip.length };
        if (endpointIds.length === 0) return result;
        const at = message.createdAt;
        const ids = endpointIds.map(() => newId('dlv', at));
        await client.query(INSERT_DELIVERIES, [ids, message.appId, message.id, endpointIds, at, skipReasons]);
        // Sent on commit: a worker in another process wakes up for the new deliveries.
        if (targets.deliver.length > 0) await client.query('SELECT pg_notify($1, $2)', [DUE_CHANNEL, chosenWake()]);
        return result;
      });
    },
    async findMessage(appId: string, id: string): Promise<Message | null> {
      const { rows } = await pool.query<MessageRow>(BY_ID, [appId, id]);
      return rows[0] ? toMessage(rows[0]) : null;
    },
    async listMessages(appId: string, filter: MessageFilter, query: MessagePageQuery): Promise<MessagePage> {
      return searchMessages(pool, appId, filter, query);
    },
    /** The GIN index on the payload covers every path: nothing to declare. */
    async declareSearchFields(_paths: readonly string[][]): Promise<void> {},
  };
}
