/**
 * The audit log's entries: who changed what, when, from where, in which request. Pure rules only: the diff of a
 * change keeps the fields that changed, and a field whose name says it holds a secret is masked, before and after.
 */
import { newId } from './ids.js';

/** What a masked value reads as: that it changed is kept, never the value. */
export const MASKED = '[masked]';

/** Field names whose values never enter the log: secrets, tokens, credentials, passwords, keys. */
const SECRET_NAME = /secret|token|credential|password|passphrase|key|auth|certificate/i;

/** One changed field; `before` is absent on a creation, `after` on a deletion. */
export interface AuditChange {
  before?: unknown;
  after?: unknown;
}

export type AuditChanges = Record<string, AuditChange>;

/**
 * Who a change came from: `admin` (the admin token), `token:<id>` (an app token), `dashboard` (an admin dashboard
 * session), `portal:<app id>` (a portal session of that app), `anonymous` (a failed sign-in).
 */
export type AuditActor = string;

/** Who asked, from which address, in which request: what an action is handed with every change. */
export interface Requester {
  actor: AuditActor;
  address: string | null;
  requestId: string | null;
}

export interface AuditEntry extends Requester {
  /** `aud_…`: entries sort by time, so ids are the log's cursors. */
  id: string;
  at: number;
  /** The app the change belongs to (null for instance-wide ones: event types, sign-ins); app tokens see their own. */
  appId: string | null;
  /** `<record>.<verb>`, e.g. `endpoint.updated`, `endpoint.secret_rotated`, `session.sign_in_failed`. */
  action: string;
  /** The id (or name) of the record changed. */
  target: string;
  changes: AuditChanges;
}

export interface AuditFacts {
  action: string;
  appId: string | null;
  target: string;
  changes?: AuditChanges;
}

export function auditEntry(requester: Requester, facts: AuditFacts, at: number): AuditEntry {
  return { id: newId('aud', at), at, ...requester, ...facts, changes: facts.changes ?? {} };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const mask = (name: string, value: unknown) => (SECRET_NAME.test(name) && value !== null && value !== undefined ? MASKED : value);

/**
 * The fields that differ between `before` and `after` (null: the record did not exist, or no longer does), with
 * secrets masked. Fields absent from `after` are left out of an update: a patch names only what it sets.
 */
export function auditChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  ignore: readonly string[] = ['createdAt', 'updatedAt'],
): AuditChanges {
  const changes: AuditChanges = {};
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const name of names) {
    if (ignore.includes(name)) continue;
    if (before && after && !(name in after)) continue;
    const was = before?.[name];
    const is = after?.[name];
    if (before && after && same(was, is)) continue;
    const change: AuditChange = {};
    if (before) change.before = mask(name, was ?? null);
    if (after) change.after = mask(name, is ?? null);
    changes[name] = change;
  }
  return changes;
}
