/** Per-app API tokens in the store: kept by hash, found by hash, listed per app, revoked, gone with their app. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, T0, withOpenStore } from './fixtures.js';

export function appTokensContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('app tokens', () => {
    test('a token is found by its hash only, listed under its app, and revoked', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const other = await store.createApp(anApp(T0 + 1));
        const first = { id: newId('tok', T0), appId: app.id, name: 'ci', canMintPortalLinks: false, createdAt: T0 };
        const second = { id: newId('tok', T0 + 5), appId: app.id, name: '', canMintPortalLinks: true, createdAt: T0 + 5 };
        await store.createAppToken(first, 'a'.repeat(64));
        await store.createAppToken(second, 'b'.repeat(64));
        assert.deepEqual(await store.findAppTokenByHash('a'.repeat(64)), first);
        assert.equal(await store.findAppTokenByHash('c'.repeat(64)), null);
        assert.deepEqual(await store.listAppTokens(app.id), [second, first]);
        assert.deepEqual(await store.listAppTokens(other.id), []);
        assert.deepEqual(await store.findAppToken(app.id, second.id), second);
        assert.equal(await store.findAppToken(other.id, second.id), null, 'found through its own app only');
        assert.equal(await store.deleteAppToken(other.id, first.id), false, 'revoked only through its own app');
        assert.equal(await store.deleteAppToken(app.id, first.id), true);
        assert.equal(await store.findAppTokenByHash('a'.repeat(64)), null);
        assert.equal(await store.findAppToken(app.id, first.id), null);
        await store.deleteApp(app.id);
        assert.equal(await store.findAppTokenByHash('b'.repeat(64)), null, 'deleting the app deletes its tokens');
      }));
  });
}
