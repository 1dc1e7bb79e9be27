import type Database from 'better-sqlite3';
import { type Message, newId } from '../../domain/index.js';
import type { MessageFilter, MessagePage, MessagePageQuery, PublishInput, PublishResult } from '../admin-store.js';
import { fanOut } from '../fan-out.js';
import { groupCommit } from '../group-commit.js';
import { messageSearch } from './message-search.js';
import { type MessageRow, queryColumn, toMessage } from './rows.js';

export function messageQueries(db: Database.Database) {
  const findKey = db.prepare<[string, string], { message_id: string; expires_at: number }>(
    'SELECT message_id, expires_at FROM idempotency_keys WHERE app_id = ? AND key = ?',
  );
  const saveKey = db.prepare('INSERT OR REPLACE INTO idempotency_keys (app_id, key, message_id, expires_at) VALUES (?, ?, ?, ?)');
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, app_id, type, payload, idempotency_key, created_at, forward_headers, trace_parent, trace_state,
       query, test)
     VALUES (@id, @appId, @type, @payload, @idempotencyKey, @createdAt, @forwardHeaders, @traceParent, @traceState, @query, @test)`,
  );
  const enabledEndpoints = db.prepare<[string], { id: string; events: string | null; filter: string | null }>(
    'SELECT id, events, filter FROM endpoints WHERE app_id = ? AND disabled_at IS NULL',
  );
  const insertDelivery = db.prepare(`
    INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, next_attempt_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?)`);
  const insertSkipped = db.prepare(`
    INSERT INTO deliveries (id, app_id, message_id, endpoint_id, status, attempt_count, attempts_in_run, next_attempt_at, skip_reason, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'skipped', 0, 0, NULL, ?, ?, ?)`);
  const byId = db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE app_id = ? AND id = ?');

  const search = messageSearch(db);

  function publishOne(input: PublishInput): PublishResult {
    const { message } = input;
    if (message.idempotencyKey !== null) {
      const seen = findKey.get(message.appId, message.idempotencyKey);
      if (seen && seen.expires_at > message.createdAt) {
        const first = byId.get(message.appId, seen.message_id);
        if (first) return { message: toMessage(first), duplicate: true, deliveries: 0, skipped: 0 };
      }
      saveKey.run(message.appId, message.idempotencyKey, message.id, message.createdAt + input.idempotencyWindowMs);
    }
    const { headers, trace, query, test, ...columns } = message;
    insertMessage.run({
      ...columns,
      test: test ? 1 : 0,
      query: queryColumn({ query }),
      forwardHeaders: headers ? JSON.stringify(headers) : null,
      traceParent: trace?.traceparent ?? null,
      traceState: trace?.tracestate ?? null,
    });
    const endpoints = enabledEndpoints
      .all(message.appId)
      .map((e) => ({ ...e, events: e.events === null ? null : (JSON.parse(e.events) as string[]) }));
    const targets = fanOut(endpoints, message, input.skip, input.only);
    const at = message.createdAt;
    for (const id of targets.deliver) insertDelivery.run(newId('dlv', at), message.appId, message.id, id, at, at, at);
    for (const { id, reason } of targets.skip) {
      insertSkipped.run(newId('dlv', at), message.appId, message.id, id, reason, at, at);
    }
    return { message, duplicate: false, deliveries: targets.deliver.length, skipped: targets.skip.length };
  }
  const publishEach = db.transaction((inputs: PublishInput[]) => inputs.map(publishOne));
  const publish = groupCommit({ many: async (inputs: PublishInput[]) => publishEach.immediate(inputs) });

  return {
    publishMessage: publish,
    async findMessage(appId: string, id: string): Promise<Message | null> {
      const row = byId.get(appId, id);
      return row ? toMessage(row) : null;
    },
    async listMessages(appId: string, filter: MessageFilter, query: MessagePageQuery): Promise<MessagePage> {
      return search.listMessages(appId, filter, query);
    },
    async declareSearchFields(paths: readonly string[][]): Promise<void> {
      search.declareSearchFields(paths);
    },
  };
}
