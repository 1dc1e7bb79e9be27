/** Store contract, settings: values hookd keeps for itself, written once and then only by compare and set. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../../src/store/index.js';
import { withOpenStore } from './fixtures.js';

export function settingsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('settings', () => {
    test('a setting is set once, then only swapped from the value it holds', () =>
      withStore(async (store) => {
        assert.equal(await store.readSetting('k'), null);
        assert.equal(await store.swapSetting('k', null, 'one'), true);
        assert.equal(await store.swapSetting('k', null, 'two'), false, 'a second first write loses');
        assert.equal(await store.swapSetting('k', 'stale', 'two'), false);
        assert.equal(await store.swapSetting('k', 'one', 'two'), true);
        assert.equal(await store.readSetting('k'), 'two');
      }));
  });
}
