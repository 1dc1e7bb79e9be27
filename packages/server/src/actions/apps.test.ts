import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App, Requester } from '../domain/index.js';
import { type AppPatch, type NewApp, StoreConflictError } from '../store/index.js';
import { type ApiError, createApp, getApp, updateApp } from './index.js';

/** Who the actions are told asked: the audit log's fields, not checked here. */
const WHO: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-test' };

const NOW = Date.UTC(2026, 0, 1);
const refusedWith = (code: string) => (error: ApiError) => error.code === code;

function deps() {
  const apps = new Map<string, App>();
  const taken = (uid: string | null | undefined, id?: string) =>
    uid != null && [...apps.values()].some((a) => a.uid === uid && a.id !== id);
  return {
    apps,
    clock: () => NOW,
    store: {
      async createApp(app: NewApp) {
        if (taken(app.uid)) throw new StoreConflictError('uid');
        const made = { alertWhenSilent: false, maxInFlight: null, ...app };
        apps.set(app.id, made);
        return made;
      },
      async findApp(idOrUid: string) {
        return apps.get(idOrUid) ?? [...apps.values()].find((a) => a.uid === idOrUid) ?? null;
      },
      async updateApp(id: string, patch: AppPatch, now: number) {
        const app = apps.get(id);
        if (!app) return null;
        if (taken(patch.uid, id)) throw new StoreConflictError('uid');
        const updated = { ...app, ...patch, updatedAt: now };
        apps.set(id, updated);
        return updated;
      },
    },
  };
}

test('createApp makes an app found by its id and its uid, with the defaults', async () => {
  const d = deps();
  const app = await createApp(d, WHO, { name: 'Acme', uid: 'acme' });
  assert.match(app.id, /^app_/);
  assert.deepEqual([app.alertWhenSilent, app.maxInFlight, app.createdAt], [false, null, NOW]);
  assert.equal((await getApp(d, 'acme')).id, app.id);
  assert.equal((await getApp(d, app.id)).uid, 'acme');
  await assert.rejects(getApp(d, 'nobody'), refusedWith('app_not_found'));
});

test('a uid hookd keeps, one shaped like an id, and one taken are refused, on create and on change', async () => {
  const d = deps();
  await assert.rejects(createApp(d, WHO, { name: 'x', uid: 'hookd-ops' }), refusedWith('uid_reserved'));
  await assert.rejects(createApp(d, WHO, { name: 'x', uid: 'HOOKD-mine' }), refusedWith('uid_reserved'));
  await assert.rejects(createApp(d, WHO, { name: 'x', uid: 'app_123' }), refusedWith('validation_failed'));
  await assert.rejects(createApp(d, WHO, { name: 'x', uid: '..' }), refusedWith('validation_failed'));
  const acme = await createApp(d, WHO, { name: 'Acme', uid: 'acme' });
  await assert.rejects(createApp(d, WHO, { name: 'Other', uid: 'acme' }), refusedWith('uid_taken'));
  const other = await createApp(d, WHO, { name: 'Other' });
  await assert.rejects(updateApp(d, WHO, other.id, { uid: 'acme' }), refusedWith('uid_taken'));
  await assert.rejects(updateApp(d, WHO, other.id, { uid: 'hookd-x' }), refusedWith('uid_reserved'));
  assert.equal((await updateApp(d, WHO, acme.id, { name: 'Acme Inc' })).name, 'Acme Inc');
  await assert.rejects(updateApp(d, WHO, 'app_gone', { name: 'x' }), refusedWith('app_not_found'));
});
