/**
 * Store contract, ops events: failure rates over the latest attempts, the compare-and-set writes that keep an alert to
 * one per episode, apps gone quiet, and the schema version. What recordAttempt says it did is in recording-contract.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Endpoint } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anAttempt, MINUTE, publishAt, seedApp, T0, withOpenStore } from './fixtures.js';

export function opsContract(open: () => Promise<Store>): void {
  describe('ops events', () => {
    const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

    test('failure rates cover endpoints attempted since the time asked, over their latest attempts', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seedApp(store, 3);
        const [flaky, healthy] = endpoints as [Endpoint, Endpoint, Endpoint];
        // Three rounds, a minute apart, one delivery per endpoint each: the flaky one fails the last two.
        for (let round = 0; round < 3; round++) {
          const at = T0 + round * MINUTE;
          await publishAt(store, app.id, at);
          const claimed = await store.claimDueDeliveries({
            now: at,
            limit: 10,
            leaseMs: 1_000,
            endpointCap: 10,
            inFlight: new Map(),
          });
          for (const item of claimed) {
            if (item.endpoint.id !== flaky.id && item.endpoint.id !== healthy.id) continue; // the third is never attempted
            const fails = item.endpoint.id === flaky.id && round > 0;
            await store.recordAttempt({
              attempt: anAttempt(item.delivery.id, {
                startedAt: at,
                responseStatus: fails && round === 1 ? 503 : fails ? null : 200,
              }),
              leaseToken: item.leaseToken,
              next: fails ? { status: 'failed' } : { status: 'succeeded' },
              now: at,
            });
          }
        }
        const byEndpoint = async (since: number, window: number) =>
          Object.fromEntries(
            (await store.endpointFailureRates({ since, window })).map((r) => [
              r.endpointId,
              [r.attempts, r.failures, r.failingAlertedAt],
            ]),
          );
        assert.deepEqual(await byEndpoint(T0, 20), { [flaky.id]: [3, 2, null], [healthy.id]: [3, 0, null] });
        assert.deepEqual(await byEndpoint(T0, 2), { [flaky.id]: [2, 2, null], [healthy.id]: [2, 0, null] }, 'latest two');
        assert.deepEqual(await byEndpoint(T0 + 2 * MINUTE + 1, 20), {}, 'nothing attempted since');
        const [rate] = await store
          .endpointFailureRates({ since: T0 + 2 * MINUTE, window: 20 })
          .then((rates) => rates.filter((r) => r.endpointId === flaky.id));
        assert.deepEqual(rate, {
          endpointId: flaky.id,
          appId: app.id,
          url: flaky.url,
          attempts: 3,
          failures: 2,
          failingAlertedAt: null,
        });
      }));

    test('a failing episode opens once and closes once, whoever tries at the same time', () =>
      withStore(async (store) => {
        const { endpoints } = await seedApp(store);
        const ep = (endpoints[0] as Endpoint).id;
        const opened = await Promise.all([store.openFailingEpisode(ep, T0), store.openFailingEpisode(ep, T0 + 1)]);
        assert.deepEqual(
          opened.filter((won) => won),
          [true],
          'exactly one opener wins',
        );
        const at = opened[0] ? T0 : T0 + 1;
        assert.equal(await store.openFailingEpisode(ep, T0 + 2), false, 'an open episode is not opened again');
        assert.equal(await store.closeFailingEpisode(ep, at + 100), false, 'only the episode that is open closes');
        assert.equal(await store.closeFailingEpisode(ep, at), true);
        assert.equal(await store.closeFailingEpisode(ep, at), false, 'closed once');
        assert.equal(await store.openFailingEpisode(ep, T0 + 3), true, 'a later episode opens again');
      }));

    test('apps that asked for it are silent once quiet long enough, and alerted once per silence', () =>
      withStore(async (store) => {
        const quiet = await store.createApp({ ...anApp(T0), alertWhenSilent: true });
        const busy = await store.createApp({ ...anApp(T0), alertWhenSilent: true });
        const unasked = await store.createApp(anApp(T0));
        assert.equal(quiet.alertWhenSilent, true);
        assert.equal((await store.findApp(unasked.id))?.alertWhenSilent, false);
        await publishAt(store, busy.id, T0 + 30 * MINUTE);
        await publishAt(store, unasked.id, T0);
        const silentAt = async (at: number) =>
          (await store.silentApps(at)).map((s) => [s.appId, s.lastEventAt, s.quietSince, s.silenceAlertedAt]);

        assert.deepEqual(await silentAt(T0), [], 'quiet since before T0: none');
        assert.deepEqual(await silentAt(T0 + 1), [[quiet.id, null, T0, null]], 'never had an event: counted from creation');
        assert.deepEqual(
          (await silentAt(T0 + 30 * MINUTE + 1)).sort(),
          [
            [quiet.id, null, T0, null],
            [busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null],
          ].sort(),
        );

        const marks = await Promise.all([store.markAppSilent(quiet.id, null, T0), store.markAppSilent(quiet.id, null, T0)]);
        assert.deepEqual(marks.sort(), [false, true], 'one of two racing checks alerts');
        assert.deepEqual(await silentAt(T0 + 30 * MINUTE + 1), [[busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null]]);

        await publishAt(store, quiet.id, T0 + 40 * MINUTE); // a new event ends the silence
        assert.deepEqual(await silentAt(T0 + 40 * MINUTE), [[busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null]]);
        assert.deepEqual(
          (await silentAt(T0 + 40 * MINUTE + 1)).find((s) => s[0] === quiet.id),
          [quiet.id, T0 + 40 * MINUTE, T0 + 40 * MINUTE, T0],
        );
        assert.equal(await store.markAppSilent(quiet.id, T0, null), true, 'set back, as when publishing the alert failed');

        const updated = await store.updateApp(busy.id, { alertWhenSilent: false }, T0 + 50 * MINUTE);
        assert.equal(updated?.alertWhenSilent, false);
        assert.equal((await store.updateApp(busy.id, { name: 'renamed' }, T0 + 51 * MINUTE))?.alertWhenSilent, false);
        assert.deepEqual(
          (await silentAt(T0 + 60 * MINUTE)).map((s) => s[0]),
          [quiet.id],
          'an app that stopped asking is not listed',
        );
      }));

    test('the schema version is the one this code expects once migrated', () =>
      withStore(async (store) => {
        const version = await store.schemaVersion();
        assert.ok(version.expected >= 6);
        assert.deepEqual(version, { applied: version.expected, expected: version.expected });
      }));
  });
}
