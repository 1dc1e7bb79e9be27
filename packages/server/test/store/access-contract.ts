/** Settings, server-side dashboard sessions and portal-link epochs: what makes access revocable in every process. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId, type UiSession } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, T0, withOpenStore } from './fixtures.js';

const aSession = (fields: Partial<UiSession>): UiSession => ({
  idHash: 'a'.repeat(64),
  appId: null,
  tokenId: null,
  csrf: 'csrf',
  expiresAt: T0 + 60_000,
  createdAt: T0,
  ...fields,
});

export function accessContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('access', () => {
    test('a setting is set once, then only swapped from the value it holds', () =>
      withStore(async (store) => {
        assert.equal(await store.readSetting('k'), null);
        assert.equal(await store.swapSetting('k', null, 'one'), true);
        assert.equal(await store.swapSetting('k', null, 'two'), false, 'a second first write loses');
        assert.equal(await store.swapSetting('k', 'stale', 'two'), false);
        assert.equal(await store.swapSetting('k', 'one', 'two'), true);
        assert.equal(await store.readSetting('k'), 'two');
      }));

    test('a session is found until it expires or ends; revoking the app or its token ends its sessions', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const token = { id: newId('tok', T0), appId: app.id, name: '', canMintPortalLinks: true, createdAt: T0 };
        await store.createAppToken(token, 'f'.repeat(64));
        const admin = aSession({ idHash: '1'.repeat(64) });
        const portal = aSession({ idHash: '2'.repeat(64), appId: app.id });
        const minted = aSession({ idHash: '3'.repeat(64), appId: app.id, tokenId: token.id });
        for (const s of [admin, portal, minted]) await store.createUiSession(s);
        assert.deepEqual(await store.findUiSession(admin.idHash, T0), admin);
        assert.equal(await store.findUiSession(admin.idHash, admin.expiresAt), null, 'expired');
        assert.equal(await store.deleteAppToken(app.id, token.id), true);
        assert.equal(await store.findUiSession(minted.idHash, T0), null, 'gone with its token');
        assert.deepEqual(await store.findUiSession(portal.idHash, T0), portal);
        assert.equal(await store.portalEpoch(app.id), 0);
        assert.equal(await store.revokePortalAccess(app.id), true);
        assert.equal(await store.portalEpoch(app.id), 1);
        assert.equal(await store.findUiSession(portal.idHash, T0), null, 'ended with the app’s portal access');
        assert.deepEqual(await store.findUiSession(admin.idHash, T0), admin, 'admin sessions stay');
        assert.equal(await store.revokePortalAccess('app_missing'), false);
        assert.equal(await store.portalEpoch('app_missing'), null);
        assert.equal(await store.endAdminUiSessions(), 1);
        assert.equal(await store.findUiSession(admin.idHash, T0), null);
        await store.createUiSession(admin);
        assert.equal(await store.endUiSession(admin.idHash), true);
        assert.equal(await store.endUiSession(admin.idHash), false);
      }));
  });
}
