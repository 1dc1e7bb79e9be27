/**
 * The audit log in the store: an entry given with a change is written in the change's transaction (both or neither),
 * only when something changed; the log reads newest first with filters and cursors, and retention trims it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuditEntry, type AuditFacts, auditEntry, type Requester } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anEndpoint, MINUTE, T0, withOpenStore } from './fixtures.js';

const admin: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-1' };
const entry = (facts: AuditFacts, at = T0, who = admin): AuditEntry => auditEntry(who, facts, at);

export function auditLogContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('audit log', () => {
    test('each change writes its entry, and a change that changed nothing writes none', () =>
      withStore(async (store) => {
        const app = anApp();
        const created = entry({ action: 'app.created', appId: app.id, target: app.id, changes: { name: { after: 'Acme' } } });
        await store.createApp(app, created);
        const endpoint = anEndpoint(app.id);
        await store.createEndpoint(
          endpoint,
          10,
          undefined,
          entry({ action: 'endpoint.created', appId: app.id, target: endpoint.id }, T0 + 1),
        );
        const rotated = entry({ action: 'endpoint.secret_rotated', appId: app.id, target: endpoint.id }, T0 + 2);
        await store.rotateEndpointSecret(app.id, endpoint.id, 'whsec_bmV3', T0 + MINUTE, T0 + 2, rotated);
        const missing = entry({ action: 'endpoint.deleted', appId: app.id, target: 'ep_missing' }, T0 + 3);
        assert.equal(await store.deleteEndpoint(app.id, 'ep_missing', missing), false);
        await store.deleteEndpoint(
          app.id,
          endpoint.id,
          entry({ action: 'endpoint.deleted', appId: app.id, target: endpoint.id }, T0 + 4),
        );

        const page = await store.listAuditLog({ limit: 10 });
        assert.deepEqual(
          page.data.map((e) => e.action),
          ['endpoint.deleted', 'endpoint.secret_rotated', 'endpoint.created', 'app.created'],
          'newest first; the delete that found nothing left no entry',
        );
        assert.deepEqual(page.data.at(-1), created, 'an entry reads back as it was written');
        assert.equal(page.nextCursor, null);
      }));

    test('when the entry cannot be written, the change it records is rolled back', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const endpoint = await store.createEndpoint(anEndpoint(app.id));
        // An entry whose id is taken: its insert fails inside the change's transaction.
        const taken = entry({ action: 'session.sign_in_failed', appId: null, target: 'dashboard' });
        await store.appendAudit(taken);
        const clash = { ...entry({ action: 'x', appId: app.id, target: app.id }), id: taken.id };

        await assert.rejects(store.updateApp(app.id, { name: 'Renamed' }, T0 + 1, clash));
        assert.equal((await store.findApp(app.id))?.name, 'Acme');
        await assert.rejects(store.updateEndpoint(app.id, endpoint.id, { url: 'http://127.0.0.1:9/x' }, T0 + 1, clash));
        assert.equal((await store.findEndpoint(app.id, endpoint.id))?.url, endpoint.url);
        await assert.rejects(store.rotateEndpointSecret(app.id, endpoint.id, 'whsec_bmV3', T0, T0 + 1, clash));
        assert.equal((await store.findEndpoint(app.id, endpoint.id))?.secret, endpoint.secret);
        await assert.rejects(store.deleteEndpoint(app.id, endpoint.id, clash));
        assert.ok(await store.findEndpoint(app.id, endpoint.id));
        const other = anEndpoint(app.id, { id: `${endpoint.id}x` });
        await assert.rejects(store.createEndpoint(other, 10, undefined, clash));
        assert.equal(await store.findEndpoint(app.id, other.id), null);
        await assert.rejects(store.deleteApp(app.id, clash));
        assert.ok(await store.findApp(app.id));
        assert.equal((await store.listAuditLog({ limit: 10 })).data.length, 1, 'only the first entry is there');
      }));

    test('filters by app, actor, action, target and time; pages by cursor', () =>
      withStore(async (store) => {
        const token = { actor: 'token:tok_a', address: null, requestId: null };
        const entries = [
          entry({ action: 'app.updated', appId: 'app_a', target: 'app_a' }, T0, token),
          entry({ action: 'endpoint.created', appId: 'app_a', target: 'ep_1' }, T0 + MINUTE, token),
          entry({ action: 'endpoint.created', appId: 'app_b', target: 'ep_2' }, T0 + 2 * MINUTE),
          entry({ action: 'event_type.created', appId: null, target: 'a.b' }, T0 + 3 * MINUTE),
        ];
        for (const e of entries) await store.appendAudit(e);
        const ids = async (q: Parameters<Store['listAuditLog']>[0]) => (await store.listAuditLog(q)).data.map((e) => e.id);
        const [a1, a2, b1, g1] = entries.map((e) => e.id);
        assert.deepEqual(await ids({ limit: 10, appId: 'app_a' }), [a2, a1]);
        assert.deepEqual(await ids({ limit: 10, actor: 'token:tok_a' }), [a2, a1]);
        assert.deepEqual(await ids({ limit: 10, action: 'endpoint.created' }), [b1, a2]);
        assert.deepEqual(await ids({ limit: 10, target: 'a.b' }), [g1]);
        assert.deepEqual(await ids({ limit: 10, since: T0 + MINUTE, until: T0 + 3 * MINUTE }), [b1, a2]);
        const first = await store.listAuditLog({ limit: 3 });
        assert.deepEqual(
          first.data.map((e) => e.id),
          [g1, b1, a2],
        );
        assert.deepEqual(await ids({ limit: 3, after: first.nextCursor ?? '' }), [a1]);
      }));

    test('entries after a shipped one come oldest first, only those made before the settle time', () =>
      withStore(async (store) => {
        const made = [T0, T0 + 1, T0 + 2].map((at) => entry({ action: 'app.updated', appId: 'app_a', target: 'app_a' }, at));
        for (const e of [...made].reverse()) await store.appendAudit(e);
        const ids = (list: { id: string }[]) => list.map((e) => e.id);
        assert.deepEqual(ids(await store.auditEntriesAfter(null, T0 + 10, 10)), ids(made));
        assert.deepEqual(ids(await store.auditEntriesAfter(made[0]?.id ?? '', T0 + 10, 1)), [made[1]?.id]);
        assert.deepEqual(ids(await store.auditEntriesAfter(null, T0 + 2, 10)), ids(made.slice(0, 2)), 'until is exclusive');
      }));

    test('retention deletes entries older than the cutoff, a batch at a time; the app they belong to may be gone', () =>
      withStore(async (store) => {
        const app = anApp();
        await store.createApp(app, entry({ action: 'app.created', appId: app.id, target: app.id }, T0));
        await store.deleteApp(app.id, entry({ action: 'app.deleted', appId: app.id, target: app.id }, T0 + MINUTE));
        await store.appendAudit(entry({ action: 'session.signed_in', appId: null, target: 'dashboard' }, T0 + 2 * MINUTE));
        assert.equal(await store.purgeAuditLog({ cutoff: T0 + 2 * MINUTE, limit: 1 }), 1);
        assert.equal(await store.purgeAuditLog({ cutoff: T0 + 2 * MINUTE, limit: 5 }), 1);
        assert.deepEqual(
          (await store.listAuditLog({ limit: 10 })).data.map((e) => e.action),
          ['session.signed_in'],
        );
      }));
  });
}
